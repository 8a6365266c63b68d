namespace Fabric.Integration.Tests.Lab;

/// <summary>Removes what a lab created, best effort, so that a failed test leaves nothing behind.</summary>
public static class LabTeardown
{
    /// <summary>
    /// Deletes <paramref name="namespaces"/> (their devices go with them), then <paramref name="links"/> (the ends left
    /// in this namespace, if still there), then the directory <paramref name="dir"/> when given. Never throws.
    /// </summary>
    public static void Remove(IEnumerable<string> namespaces, IEnumerable<string> links, string? dir)
    {
        foreach (string ns in namespaces)
        {
            Shell.Run("ip", "netns", "del", ns);
        }

        foreach (string link in links)
        {
            Shell.Run("ip", "link", "del", link);
        }

        if (dir is null)
        {
            return;
        }

        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temporary directory.
        }
    }
}
