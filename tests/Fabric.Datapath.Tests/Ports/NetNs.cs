using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Fabric.Datapath.Tests.Ports;

/// <summary>
/// A uniquely named network namespace (fabt-&lt;6 hex&gt;) plus the veth pairs and processes a test creates around
/// it. Everything is removed in Dispose, also after a failed test.
/// </summary>
internal sealed class NetNs : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);
    private readonly List<string> _hostLinks = [];
    private readonly List<Process> _processes = [];

    private NetNs(string name) => Name = name;

    public string Name { get; }

    public static bool HasEthtool { get; } = File.Exists("/usr/sbin/ethtool") || File.Exists("/sbin/ethtool") || File.Exists("/usr/bin/ethtool");

    public static NetNs Create()
    {
        var ns = new NetNs("fabt-" + RandomHex(6));
        Run("ip", "netns", "add", ns.Name);
        ns.Ip("link", "set", "lo", "up");
        return ns;
    }

    public static string RandomHex(int digits) =>
        Convert.ToHexString(Guid.NewGuid().ToByteArray())[..digits].ToLowerInvariant();

    /// <summary>A random 10.a.b.0/24 prefix, "10.a.b." (namespaces are isolated, so collisions only matter inside one).</summary>
    public static string RandomSubnet() => $"10.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 255)}.";

    /// <summary>
    /// Creates a veth pair: host end in the caller's namespace (up), peer end in this namespace (up), with the kernel's
    /// offloads (on) unless <paramref name="offloadsOff"/> (<see cref="OffloadsOff"/> on both ends, for tests of that path).
    /// Returns (hostName, peerName), both ≤ 15 characters.
    /// </summary>
    public (string Host, string Peer) AddVeth(bool offloadsOff = false)
    {
        string suffix = RandomHex(6);
        string host = "fvh" + suffix;
        string peer = "fvp" + suffix;
        Run("ip", "link", "add", host, "type", "veth", "peer", "name", peer, "netns", Name);
        _hostLinks.Add(host);
        Run("ip", "link", "set", host, "up");
        Ip("link", "set", peer, "up");
        if (offloadsOff)
        {
            OffloadsOff(host, inNamespace: false);
            OffloadsOff(peer, inNamespace: true);
        }

        return (host, peer);
    }

    /// <summary>Runs <c>ethtool -K dev tx off tso off gso off gro off</c> if ethtool exists (rx VLAN offload is left as is).</summary>
    public void OffloadsOff(string dev, bool inNamespace)
    {
        if (!HasEthtool)
        {
            return;
        }

        string[] args = ["-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off"];
        if (inNamespace)
        {
            Exec(["ethtool", .. args]);
        }
        else
        {
            Run("ethtool", args);
        }
    }

    /// <summary>Runs <c>ip -n NS args…</c> and throws with its stderr when it fails.</summary>
    public string Ip(params string[] args) => Run("ip", ["-n", Name, .. args]);

    /// <summary>Runs <c>ip netns exec NS args…</c> and throws when it fails.</summary>
    public string Exec(params string[] args) => Run("ip", ["netns", "exec", Name, .. args]);

    /// <summary>Runs <c>ip netns exec NS args…</c> and returns its exit code.</summary>
    public int TryExec(params string[] args) => TryRun("ip", ["netns", "exec", Name, .. args]).ExitCode;

    /// <summary>Starts <c>ip netns exec NS args…</c> in the background; it is killed in Dispose if still running.</summary>
    public Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in (string[])["netns", "exec", Name, .. args])
        {
            psi.ArgumentList.Add(a);
        }

        Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start ip netns exec");
        _processes.Add(p);
        return p;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a fresh thread that has entered this namespace with setns(2); sockets it opens
    /// stay in the namespace and can be used from any thread afterwards.
    /// </summary>
    public T InNamespace<T>(Func<T> action)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle("/var/run/netns/" + Name);
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns into {Name} failed: {Marshal.GetLastPInvokeErrorMessage()}");
                }

                result = action();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            throw new InvalidOperationException($"in namespace {Name}: {error.Message}", error);
        }

        return result;
    }

    /// <summary>Records a host-side link this test created by other means, so Dispose deletes it.</summary>
    public void TrackHostLink(string name) => _hostLinks.Add(name);

    private const int CloneNewNet = 0x40000000;

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNs(int fd, int nstype);

    public static string Run(string file, params string[] args)
    {
        (int exit, string stdout, string stderr) = TryRun(file, args);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({exit}): {stderr.Trim()}");
        }

        return stdout;
    }

    public static (int ExitCode, string Stdout, string Stderr) TryRun(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(CommandTimeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {CommandTimeout}");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose()
    {
        foreach (Process p in _processes)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            p.Dispose();
        }

        foreach (string link in _hostLinks)
        {
            if (Directory.Exists("/sys/class/net/" + link))
            {
                TryRun("ip", "link", "del", link);
            }
        }

        TryRun("ip", "netns", "del", Name);
    }
}
