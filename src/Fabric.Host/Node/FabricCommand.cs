using System.Diagnostics;

namespace Fabric.Host.Node;

/// <summary>
/// How to start a <c>fabric</c> process: an executable and its arguments, e.g. (<c>/usr/bin/fabric</c>, <c>run --config
/// F</c>) for an apphost or (<c>dotnet</c>, <c>/opt/fabric/fabric.dll run --config F</c>) for a framework-dependent build.
/// A restart starts its successor this way, and a keeper its nodes.
/// </summary>
/// <param name="File">The executable: the <c>fabric</c> apphost, or the dotnet host.</param>
/// <param name="Args">Its arguments, in order.</param>
public sealed record FabricCommand(string File, IReadOnlyList<string> Args)
{
    /// <summary>
    /// This build (<paramref name="exec"/> null: the running executable, through the same dotnet host when this
    /// process runs <c>dotnet fabric.dll</c>) or the build at <paramref name="exec"/> (an apphost, or a
    /// <c>fabric.dll</c> started through dotnet), with no arguments of its own yet.
    /// </summary>
    /// <param name="exec">Another build's apphost or <c>fabric.dll</c>; null for this build.</param>
    public static FabricCommand Build(string? exec)
    {
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        if (exec is not null)
        {
            return exec.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                ? new FabricCommand(dotnet, [Path.GetFullPath(exec)])
                : new FabricCommand(Path.GetFullPath(exec), []);
        }

        var self = Environment.ProcessPath ?? "fabric";
        return Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? new FabricCommand(self, [Path.GetFullPath(Environment.GetCommandLineArgs()[0])])
            : new FabricCommand(self, []);
    }

    /// <summary>This command with <paramref name="more"/> appended to its arguments.</summary>
    public FabricCommand With(params IEnumerable<string> more) => this with { Args = [.. Args, .. more] };

    /// <summary>A start description that inherits this process's standard streams (a node's log goes where its starter's goes).</summary>
    public ProcessStartInfo StartInfo()
    {
        var psi = new ProcessStartInfo(File) { UseShellExecute = false };
        foreach (var a in Args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(' ', Args.Prepend(File));
}
