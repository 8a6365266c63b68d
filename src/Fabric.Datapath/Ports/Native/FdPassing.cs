namespace Fabric.Datapath.Ports.Native;

/// <summary>
/// Hands open file descriptors to another process over a connected AF_UNIX socket, as SCM_RIGHTS ancillary data
/// (unix(7) "SCM_RIGHTS", cmsg(3)): the restart path, where a running Fabric gives its AF_PACKET sockets and TAP
/// descriptors to its successor while the kernel keeps queuing frames on them, and the successor adopts them with
/// <see cref="AfPacketPort.Adopt"/> and <see cref="TapPort.Adopt"/>.
/// </summary>
/// <remarks>
/// <para>
/// A passed descriptor is a new descriptor number in the receiver for the same open file (the same socket, the same
/// TAP queue), like dup(2) across processes: socket options, bindings, multicast/promiscuous memberships, queued
/// frames and file status flags (O_NONBLOCK) are shared, and the file lives until its last descriptor in any
/// process is closed. Only the descriptor flag FD_CLOEXEC is per descriptor; <see cref="Receive"/> sets it on
/// everything it receives (MSG_CMSG_CLOEXEC).
/// </para>
/// <para>
/// On a SOCK_STREAM socket the descriptors travel with the first byte of the payload they were sent with: the
/// receive that reads that byte returns them and stops there, so a message's descriptors never arrive early or
/// merged with a later message's. A payload larger than the receiver's buffer is read in several calls (the
/// descriptors come with the first). SOCK_SEQPACKET keeps message boundaries; a message longer than the buffer is
/// an error (MSG_TRUNC).
/// </para>
/// <para>Both calls block on a blocking socket (the kind <see cref="SocketPair"/> creates); not for the per-packet path.</para>
/// </remarks>
public static unsafe class FdPassing
{
    /// <summary>Most descriptors one message may carry: 253, the kernel's SCM_MAX_FD (include/net/scm.h).</summary>
    public const int MaxDescriptors = LibCMsg.ScmMaxFd;

    /// <summary>sizeof(struct ucred) (pid, uid, gid): an SCM_CREDENTIALS item can arrive next to SCM_RIGHTS when the socket has SO_PASSCRED.</summary>
    private const int UcredBytes = 12;

    /// <summary>
    /// Sends <paramref name="payload"/> and, as one SCM_RIGHTS control message, <paramref name="fds"/> with one
    /// sendmsg(2) (MSG_NOSIGNAL: a closed peer gives EPIPE, not SIGPIPE) on the connected AF_UNIX SOCK_STREAM or
    /// SOCK_SEQPACKET socket <paramref name="socketFd"/>, retrying only when a signal interrupted it before anything
    /// was sent (EINTR). The caller keeps its own descriptors open and owns them; the receiver gets new ones.
    /// </summary>
    /// <param name="socketFd">Connected AF_UNIX socket, e.g. one end of <see cref="SocketPair"/>.</param>
    /// <param name="payload">Data to send with the descriptors, at least 1 byte (a stream socket sends no descriptors without data).</param>
    /// <param name="fds">Open descriptors to pass, at most <see cref="MaxDescriptors"/> (253); may be empty (data only).</param>
    /// <returns>
    /// Bytes of <paramref name="payload"/> sent. A blocking SOCK_STREAM socket sends all of it unless a signal arrives
    /// midway or the peer goes; the descriptors always go with the first byte.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="socketFd"/> is negative.</exception>
    /// <exception cref="ArgumentException">The payload is empty, there are more than 253 descriptors, or one of them is negative.</exception>
    /// <exception cref="IOException">
    /// sendmsg(2) failed; the message carries the errno text (strerror), e.g. "sendmsg(2) on descriptor 7 failed:
    /// Broken pipe (errno 32)" when the peer has closed, "Bad file descriptor (errno 9)" when one of
    /// <paramref name="fds"/> is not open, "Too many references: cannot splice (errno 109)" (ETOOMANYREFS) when the
    /// sender already has too many descriptors in flight.
    /// </exception>
    public static int Send(int socketFd, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(socketFd);
        if (payload.IsEmpty)
        {
            throw new ArgumentException("the payload must be at least 1 byte: a stream socket sends no descriptors without data", nameof(payload));
        }

        if (fds.Length > MaxDescriptors)
        {
            throw new ArgumentException($"at most {MaxDescriptors} descriptors fit one message (SCM_MAX_FD), not {fds.Length}", nameof(fds));
        }

        for (int i = 0; i < fds.Length; i++)
        {
            if (fds[i] < 0)
            {
                throw new ArgumentException($"descriptor {i} is {fds[i]}, not a descriptor number", nameof(fds));
            }
        }

        // One cmsghdr (16 bytes) then the ints, padded to 8: CMSG_SPACE(4n) bytes, zeroed, 8-byte aligned.
        int dataBytes = fds.Length * sizeof(int);
        int controlBytes = fds.IsEmpty ? 0 : LibCMsg.CmsgSpace(dataBytes);
        ulong* control = stackalloc ulong[controlBytes / sizeof(ulong)];
        if (!fds.IsEmpty)
        {
            CMsgHdr* header = (CMsgHdr*)control;
            header->Len = (nuint)LibCMsg.CmsgLen(dataBytes);
            header->Level = LinuxConstants.SOL_SOCKET;
            header->Type = LibCMsg.SCM_RIGHTS;
            fds.CopyTo(new Span<int>((byte*)control + sizeof(CMsgHdr), fds.Length));
        }

        fixed (byte* data = payload)
        {
            IoVec iov;
            iov.Base = data;
            iov.Len = (nuint)payload.Length;
            MsgHdr msg = default;
            msg.Iov = &iov;
            msg.IovLen = 1;
            msg.Control = controlBytes == 0 ? null : control;
            msg.ControlLen = (nuint)controlBytes;
            while (true)
            {
                nint sent = LibCMsg.SendMsg(socketFd, &msg, LibCMsg.MSG_NOSIGNAL);
                if (sent >= 0)
                {
                    return (int)sent;
                }

                int errno = Errno.Last;
                if (errno != LinuxConstants.EINTR)
                {
                    throw Failure("sendmsg(2)", socketFd, errno);
                }
            }
        }
    }

    /// <summary>
    /// Receives data into <paramref name="payload"/> and the descriptors sent with it into <paramref name="fds"/>
    /// with one recvmsg(2) (MSG_CMSG_CLOEXEC: every received descriptor is close-on-exec) on the AF_UNIX socket
    /// <paramref name="socketFd"/>, retrying when a signal interrupted it before anything arrived (EINTR). The
    /// caller owns the received descriptors: adopt them as ports or close them (<see cref="Close"/>).
    /// </summary>
    /// <param name="socketFd">Connected AF_UNIX socket, e.g. one end of <see cref="SocketPair"/>.</param>
    /// <param name="payload">Buffer for the data, at least 1 byte.</param>
    /// <param name="fds">Room for the descriptors; 253 (<see cref="MaxDescriptors"/>) always suffices.</param>
    /// <param name="fdCount">How many descriptors were stored at the start of <paramref name="fds"/> (0 when the data came without any).</param>
    /// <returns>Bytes stored in <paramref name="payload"/>; 0 when the peer has closed its end (and <paramref name="fdCount"/> is 0).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="socketFd"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="payload"/> is empty.</exception>
    /// <exception cref="IOException">
    /// recvmsg(2) failed (message with the errno text, e.g. "recvmsg(2) on descriptor 7 failed: Socket operation on
    /// non-socket (errno 88)"); or the control data was truncated (MSG_CTRUNC), more descriptors arrived than
    /// <paramref name="fds"/> holds, or a SOCK_SEQPACKET message was longer than <paramref name="payload"/>
    /// (MSG_TRUNC). In those cases every descriptor this call received is closed first, so none leaks.
    /// </exception>
    public static int Receive(int socketFd, Span<byte> payload, Span<int> fds, out int fdCount)
    {
        fdCount = 0;
        ArgumentOutOfRangeException.ThrowIfNegative(socketFd);
        if (payload.IsEmpty)
        {
            throw new ArgumentException("the payload buffer must be at least 1 byte", nameof(payload));
        }

        // Always room for a full SCM_RIGHTS item plus credentials, whatever fds holds: descriptors that do not fit
        // the caller's span are then closed here and reported, instead of being dropped by the kernel.
        int controlBytes = LibCMsg.CmsgSpace(MaxDescriptors * sizeof(int)) + LibCMsg.CmsgSpace(UcredBytes);
        ulong* control = stackalloc ulong[controlBytes / sizeof(ulong)];
        MsgHdr msg = default;
        nint received;
        fixed (byte* data = payload)
        {
            IoVec iov;
            iov.Base = data;
            iov.Len = (nuint)payload.Length;
            msg.Iov = &iov;
            msg.IovLen = 1;
            while (true)
            {
                msg.Control = control;
                msg.ControlLen = (nuint)controlBytes;
                msg.Flags = 0;
                received = LibCMsg.RecvMsg(socketFd, &msg, LibCMsg.MSG_CMSG_CLOEXEC);
                if (received >= 0)
                {
                    break;
                }

                int errno = Errno.Last;
                if (errno != LinuxConstants.EINTR)
                {
                    throw Failure("recvmsg(2)", socketFd, errno);
                }
            }
        }

        // Walk the items (CMSG_FIRSTHDR/CMSG_NXTHDR) and collect every SCM_RIGHTS descriptor.
        int* got = stackalloc int[controlBytes / sizeof(int)];
        int count = 0;
        byte* items = (byte*)control;
        int length = (int)Math.Min(msg.ControlLen, (nuint)controlBytes);
        int offset = 0;
        while (offset + sizeof(CMsgHdr) <= length)
        {
            CMsgHdr* header = (CMsgHdr*)(items + offset);
            nuint itemLength = header->Len;
            if (itemLength < (nuint)sizeof(CMsgHdr) || itemLength > (nuint)(length - offset))
            {
                break;
            }

            if (header->Level == LinuxConstants.SOL_SOCKET && header->Type == LibCMsg.SCM_RIGHTS)
            {
                int n = ((int)itemLength - sizeof(CMsgHdr)) / sizeof(int);
                int* source = (int*)(items + offset + sizeof(CMsgHdr));
                for (int i = 0; i < n; i++)
                {
                    got[count++] = source[i];
                }
            }

            offset += LinuxConstants.CmsgAlign((int)itemLength);
        }

        string? problem = null;
        if ((msg.Flags & LinuxConstants.MSG_CTRUNC) != 0)
        {
            problem = "the control data was truncated (MSG_CTRUNC), descriptors were lost";
        }
        else if ((msg.Flags & LinuxConstants.MSG_TRUNC) != 0)
        {
            problem = $"the message was longer than the {payload.Length}-byte buffer (MSG_TRUNC)";
        }
        else if (count > fds.Length)
        {
            problem = $"{count} descriptors arrived, room for {fds.Length}";
        }

        if (problem is not null)
        {
            Close(new ReadOnlySpan<int>(got, count));
            throw new IOException($"recvmsg(2) on descriptor {socketFd}: {problem}; the {count} received descriptors were closed");
        }

        new ReadOnlySpan<int>(got, count).CopyTo(fds);
        fdCount = count;
        return (int)received;
    }

    /// <summary>
    /// Creates a connected pair of AF_UNIX SOCK_STREAM sockets (socketpair(2)), both blocking and close-on-exec
    /// (SOCK_CLOEXEC), so no unrelated child inherits them. To give <c>Child</c> to a process about to be started,
    /// clear its FD_CLOEXEC with <see cref="SetCloseOnExec"/> right before starting it, and close it here afterwards.
    /// </summary>
    /// <returns>The two ends; the caller owns both (close with <see cref="Close"/>).</returns>
    /// <exception cref="IOException">socketpair(2) failed, e.g. "Too many open files (errno 24)" (EMFILE).</exception>
    public static (int Parent, int Child) SocketPair()
    {
        int* ends = stackalloc int[2];
        if (LibCMsg.SocketPair(LibCMsg.AF_UNIX, LibCMsg.SOCK_STREAM | LinuxConstants.SOCK_CLOEXEC, 0, ends) < 0)
        {
            int errno = Errno.Last;
            throw new IOException($"socketpair(2) failed: {Errno.Message(errno)} (errno {errno})");
        }

        return (ends[0], ends[1]);
    }

    /// <summary>
    /// Sets (true) or clears (false) FD_CLOEXEC on <paramref name="fd"/> with fcntl(2) F_SETFD: a descriptor without
    /// it is inherited across execve(2), which is how a descriptor reaches a process started afterwards. Only this
    /// descriptor changes, not other descriptors of the same file.
    /// </summary>
    /// <param name="fd">An open descriptor.</param>
    /// <param name="closeOnExec">Whether execve(2) closes the descriptor.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fd"/> is negative.</exception>
    /// <exception cref="IOException">fcntl(2) failed, e.g. "Bad file descriptor (errno 9)".</exception>
    public static void SetCloseOnExec(int fd, bool closeOnExec)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        int errno = LibCMsg.SetCloseOnExec(fd, closeOnExec);
        if (errno != 0)
        {
            throw Failure("fcntl(2) F_SETFD", fd, errno);
        }
    }

    /// <summary>
    /// The process id of the peer of the connected AF_UNIX socket <paramref name="socketFd"/> as the kernel recorded it
    /// when the connection was made (getsockopt(2) SO_PEERCRED, unix(7)): who is really on the other end, whatever it
    /// says. A keeper hands its descriptors only to the processes it started.
    /// </summary>
    /// <param name="socketFd">A connected (or accepted) AF_UNIX socket.</param>
    /// <returns>The peer's pid, in the caller's pid namespace.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="socketFd"/> is negative.</exception>
    /// <exception cref="IOException">getsockopt(2) failed, e.g. "Transport endpoint is not connected (errno 107)".</exception>
    public static int PeerProcessId(int socketFd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(socketFd);
        int* credentials = stackalloc int[3];
        uint length = UcredBytes;
        if (LibC.GetSockOpt(socketFd, LinuxConstants.SOL_SOCKET, LibCMsg.SO_PEERCRED, credentials, &length) < 0)
        {
            throw Failure("getsockopt(2) SO_PEERCRED", socketFd, Errno.Last);
        }

        return credentials[0];
    }

    /// <summary>
    /// Closes each non-negative descriptor in <paramref name="fds"/> with close(2), e.g. received descriptors that
    /// will not be adopted or a <see cref="SocketPair"/>. Errors are ignored: after close(2) the descriptor is gone
    /// whatever it reports.
    /// </summary>
    /// <param name="fds">Descriptors to close; negative entries are skipped.</param>
    public static void Close(ReadOnlySpan<int> fds)
    {
        foreach (int fd in fds)
        {
            if (fd >= 0)
            {
                LibC.Close(fd);
            }
        }
    }

    private static IOException Failure(string call, int fd, int errno) =>
        new($"{call} on descriptor {fd} failed: {Errno.Message(errno)} (errno {errno})");
}
