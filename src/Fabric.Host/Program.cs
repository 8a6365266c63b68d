using System.CommandLine;
using Fabric.Host.Cli;
using Fabric.Host.Node;

namespace Fabric.Host;

/// <summary>The <c>fabric</c> executable: <c>fabric run</c> starts a node, <c>fabric ctl</c> talks to one.</summary>
public static class Program
{
    /// <summary>Entry point; returns the exit code of the chosen command.</summary>
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("Fabric: a software switching fabric (bridges with NORMAL switching, megaflow datapath, actor control plane)")
        {
            RunCommand.Create(),
            CtlCommandFactory.Create(),
        };
        return root.Parse(args).InvokeAsync();
    }
}
