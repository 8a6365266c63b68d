namespace Fabric.Integration.Tests.Control;

/// <summary>A unique temporary directory for one test's control socket, deleted on Dispose.</summary>
internal sealed class ControlSocketDirectory : IDisposable
{
    public ControlSocketDirectory()
    {
        DirectoryPath = Path.Combine(Path.GetTempPath(), "fabric-ctl-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(DirectoryPath);
        SocketPath = Path.Combine(DirectoryPath, "fabric.ctl");
    }

    public string DirectoryPath { get; }

    public string SocketPath { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(DirectoryPath, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
