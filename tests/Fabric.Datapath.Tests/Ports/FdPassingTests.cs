using System.Runtime.InteropServices;
using Fabric.Datapath.Ports.Native;
using Xunit;

namespace Fabric.Datapath.Tests.Ports;

/// <summary>SCM_RIGHTS descriptor passing over a socketpair, with pipes and eventfds as the passed descriptors.</summary>
public sealed class FdPassingTests : IDisposable
{
    private const int FdCloexec = 1;
    private const int FGetFd = 1;
    private const int ONonblock = 0x800;
    private const int OCloexec = 0x80000;

    /// <summary>A descriptor number nothing has open (far above any RLIMIT_NOFILE in use), for EBADF.</summary>
    private const int NeverOpen = 1 << 30;

    private readonly List<int> _open = [];
    private readonly int _parent;
    private readonly int _child;

    public FdPassingTests()
    {
        (_parent, _child) = FdPassing.SocketPair();
        _open.Add(_parent);
        _open.Add(_child);
    }

    public void Dispose() => FdPassing.Close(_open.ToArray());

    [Fact]
    public void Socketpair_ends_are_close_on_exec()
    {
        Assert.NotEqual(_parent, _child);
        Assert.Equal(FdCloexec, Fcntl(_parent, FGetFd, 0) & FdCloexec);
        Assert.Equal(FdCloexec, Fcntl(_child, FGetFd, 0) & FdCloexec);

        FdPassing.SetCloseOnExec(_child, false);
        Assert.Equal(0, Fcntl(_child, FGetFd, 0) & FdCloexec);
        FdPassing.SetCloseOnExec(_child, true);
        Assert.Equal(FdCloexec, Fcntl(_child, FGetFd, 0) & FdCloexec);
    }

    [Fact]
    public void Three_descriptors_arrive_with_the_payload_work_and_are_close_on_exec()
    {
        (int aRead, int aWrite) = Pipe(0);
        (int bRead, int bWrite) = Pipe(0);
        int events = Track(EventFd(0, 0));
        Assert.Equal(0, Fcntl(aWrite, FGetFd, 0) & FdCloexec);

        byte[] payload = "ports:tap0,veth1,ev"u8.ToArray();
        Assert.Equal(payload.Length, FdPassing.Send(_parent, payload, [aWrite, bRead, events]));

        var buffer = new byte[64];
        var fds = new int[FdPassing.MaxDescriptors];
        int n = FdPassing.Receive(_child, buffer, fds, out int count);
        Assert.Equal(payload.Length, n);
        Assert.Equal(payload, buffer[..n]);
        Assert.Equal(3, count);
        foreach (int fd in fds[..count])
        {
            Track(fd);
            Assert.DoesNotContain(fd, new[] { aWrite, bRead, events });
            Assert.Equal(FdCloexec, Fcntl(fd, FGetFd, 0) & FdCloexec);
        }

        // A pipe's write end, passed: what goes in there comes out of our read end.
        Assert.Equal(5, Write(fds[0], "hello"u8.ToArray(), 5));
        var got = new byte[16];
        Assert.Equal(5, Read(aRead, got, got.Length));
        Assert.Equal("hello"u8.ToArray(), got[..5]);

        // A pipe's read end, passed: what we write comes out of it.
        Assert.Equal(3, Write(bWrite, "abc"u8.ToArray(), 3));
        Assert.Equal(3, Read(fds[1], got, got.Length));
        Assert.Equal("abc"u8.ToArray(), got[..3]);

        // The same eventfd: a count added through the passed descriptor is read through the original.
        Assert.Equal(8, Write(fds[2], BitConverter.GetBytes(42UL), 8));
        Assert.Equal(8, Read(events, got, 8));
        Assert.Equal(42UL, BitConverter.ToUInt64(got, 0));
    }

    [Fact]
    public void Data_without_descriptors_and_the_most_descriptors_one_message_carries()
    {
        Assert.Equal(2, FdPassing.Send(_parent, "hi"u8, []));
        var buffer = new byte[8];
        var fds = new int[FdPassing.MaxDescriptors];
        Assert.Equal(2, FdPassing.Receive(_child, buffer, fds, out int count));
        Assert.Equal(0, count);

        // 253 references to one eventfd: a full SCM_RIGHTS item (CMSG_SPACE(1012) = 1032 bytes).
        int events = Track(EventFd(0, 0));
        int[] many = Enumerable.Repeat(events, FdPassing.MaxDescriptors).ToArray();
        Assert.Equal(1, FdPassing.Send(_parent, "m"u8, many));
        Assert.Equal(1, FdPassing.Receive(_child, buffer, fds, out count));
        Assert.Equal(FdPassing.MaxDescriptors, count);
        foreach (int fd in fds)
        {
            Track(fd);
        }

        Assert.Equal(FdPassing.MaxDescriptors, fds.Distinct().Count());
    }

    [Fact]
    public void The_peer_of_a_socketpair_end_is_this_process_and_a_non_socket_is_an_error()
    {
        Assert.Equal(Environment.ProcessId, FdPassing.PeerProcessId(_parent));
        Assert.Equal(Environment.ProcessId, FdPassing.PeerProcessId(_child));
        (int read, int write) = Pipe(0);
        try
        {
            IOException e = Assert.Throws<IOException>(() => FdPassing.PeerProcessId(read));
            Assert.StartsWith($"getsockopt(2) SO_PEERCRED on descriptor {read} failed: ", e.Message);
        }
        finally
        {
            FdPassing.Close([read, write]);
        }
    }

    [Fact]
    public void Control_message_arithmetic_matches_cmsg_macros()
    {
        Assert.Equal(16, LibCMsg.CmsgLen(0));
        Assert.Equal(28, LibCMsg.CmsgLen(12));
        Assert.Equal(32, LibCMsg.CmsgSpace(12));
        Assert.Equal(24, LibCMsg.CmsgSpace(4));
        Assert.Equal(1028, LibCMsg.CmsgLen(253 * 4));
        Assert.Equal(1032, LibCMsg.CmsgSpace(253 * 4));
    }

    [Fact]
    public void On_a_stream_socket_descriptors_come_with_the_first_part_of_a_longer_payload()
    {
        (int read, int write) = Pipe(0);
        Assert.Equal(10, FdPassing.Send(_parent, "0123456789"u8, [write]));

        var small = new byte[4];
        var fds = new int[4];
        Assert.Equal(4, FdPassing.Receive(_child, small, fds, out int count));
        Assert.Equal(1, count);
        Track(fds[0]);
        Assert.Equal("0123"u8.ToArray(), small);

        var rest = new byte[16];
        Assert.Equal(6, FdPassing.Receive(_child, rest, fds, out count));
        Assert.Equal(0, count);
        Assert.Equal("456789"u8.ToArray(), rest[..6]);
        Assert.True(read >= 0);
    }

    [Fact]
    public void Receive_returns_zero_when_the_peer_has_closed()
    {
        FdPassing.Close([_parent]);
        _open.Remove(_parent);
        var fds = new int[4];
        fds[0] = -7;
        Assert.Equal(0, FdPassing.Receive(_child, new byte[8], fds, out int count));
        Assert.Equal(0, count);
        Assert.Equal(-7, fds[0]);

        IOException e = Assert.Throws<IOException>(() => FdPassing.Send(_child, "x"u8, []));
        Assert.Contains("sendmsg(2)", e.Message);
        Assert.Contains("(errno 32)", e.Message); // EPIPE, not a SIGPIPE
    }

    [Fact]
    public void Descriptors_that_do_not_fit_are_closed_and_reported()
    {
        (int read, int write) = Pipe(ONonblock | OCloexec);
        Assert.Equal(1, FdPassing.Send(_parent, "p"u8, [write, write]));
        FdPassing.Close([write]);
        _open.Remove(write);

        var fds = new int[1];
        IOException e = Assert.Throws<IOException>(() => FdPassing.Receive(_child, new byte[8], fds, out _));
        Assert.Contains("2 descriptors arrived, room for 1", e.Message);

        // Every write end is closed now (ours above, both received ones by Receive): the read end sees end-of-file.
        AssertEndOfFile(read);
    }

    [Fact]
    public void A_seqpacket_message_longer_than_the_buffer_is_an_error_and_its_descriptors_are_closed()
    {
        int[] pair = new int[2];
        Assert.Equal(0, SocketPair(1, 5 | 0x80000, 0, pair)); // AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC
        Track(pair[0]);
        Track(pair[1]);
        (int read, int write) = Pipe(ONonblock | OCloexec);
        Assert.Equal(6, FdPassing.Send(pair[0], "abcdef"u8, [write]));
        FdPassing.Close([write]);
        _open.Remove(write);

        IOException e = Assert.Throws<IOException>(() => FdPassing.Receive(pair[1], new byte[3], new int[4], out _));
        Assert.Contains("MSG_TRUNC", e.Message);
        AssertEndOfFile(read);

        // A message that fits keeps its boundary and its descriptor.
        Assert.Equal(2, FdPassing.Send(pair[0], "ok"u8, [read]));
        var fds = new int[4];
        Assert.Equal(2, FdPassing.Receive(pair[1], new byte[8], fds, out int count));
        Assert.Equal(1, count);
        Track(fds[0]);
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FdPassing.Send(-1, "x"u8, []));
        Assert.Throws<ArgumentException>(() => FdPassing.Send(_parent, [], [0]));
        Assert.Throws<ArgumentException>(() => FdPassing.Send(_parent, "x"u8, new int[FdPassing.MaxDescriptors + 1]));
        ArgumentException negative = Assert.Throws<ArgumentException>(() => FdPassing.Send(_parent, "x"u8, [0, -3]));
        Assert.Contains("descriptor 1 is -3", negative.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => FdPassing.Receive(-1, new byte[1], new int[1], out _));
        Assert.Throws<ArgumentException>(() => FdPassing.Receive(_child, [], new int[1], out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => FdPassing.SetCloseOnExec(-1, true));
    }

    [Fact]
    public void System_call_failures_carry_the_errno_text()
    {
        (int read, int write) = Pipe(0);
        IOException notSocket = Assert.Throws<IOException>(() => FdPassing.Send(write, "x"u8, []));
        Assert.Equal($"sendmsg(2) on descriptor {write} failed: {Marshal.GetPInvokeErrorMessage(88)} (errno 88)", notSocket.Message);
        IOException notSocketRx = Assert.Throws<IOException>(() => FdPassing.Receive(read, new byte[1], new int[1], out _));
        Assert.Contains("recvmsg(2)", notSocketRx.Message);
        Assert.Contains("(errno 88)", notSocketRx.Message);

        IOException badFd = Assert.Throws<IOException>(() => FdPassing.Send(_parent, "x"u8, [NeverOpen]));
        Assert.Contains("(errno 9)", badFd.Message); // EBADF
        IOException badFcntl = Assert.Throws<IOException>(() => FdPassing.SetCloseOnExec(NeverOpen, true));
        Assert.Contains("fcntl(2) F_SETFD", badFcntl.Message);
    }

    /// <summary>
    /// Reads the non-blocking <paramref name="read"/> end until end-of-file (0), bounded: a process that a parallel
    /// test is starting holds copies of our close-on-exec descriptors between its fork and its exec.
    /// </summary>
    private static void AssertEndOfFile(int read)
    {
        var buffer = new byte[8];
        Assert.True(SpinWait.SpinUntil(() => Read(read, buffer, buffer.Length) == 0, TimeSpan.FromSeconds(10)), "a write end is still open");
    }

    private int Track(int fd)
    {
        Assert.True(fd >= 0, $"descriptor {fd}: {Marshal.GetLastPInvokeErrorMessage()}");
        _open.Add(fd);
        return fd;
    }

    private (int Read, int Write) Pipe(int flags)
    {
        int[] ends = new int[2];
        Assert.Equal(0, Pipe2(ends, flags));
        return (Track(ends[0]), Track(ends[1]));
    }

    private static int Read(int fd, byte[] buffer, int count) => (int)ReadNative(fd, buffer, count);

    private static int Write(int fd, byte[] buffer, int count) => (int)WriteNative(fd, buffer, count);

    [DllImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static extern int Pipe2(int[] fds, int flags);

    [DllImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static extern int EventFd(uint initial, int flags);

    [DllImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    private static extern int SocketPair(int domain, int type, int protocol, int[] fds);

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int cmd, int arg);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint ReadNative(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint WriteNative(int fd, byte[] buffer, nint count);
}
