#include "net/tcpstream.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace Gateway::Net {

namespace {

void fillAddresses(int fd, Stream *stream)
{
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &len) == 0) {
        stream->peerAddress.setAddress(reinterpret_cast<sockaddr *>(&ss));
        stream->peerPort = ss.ss_family == AF_INET6
                               ? ntohs(reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port)
                               : ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
    }
    len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len) == 0) {
        stream->localPort = ss.ss_family == AF_INET6
                                ? ntohs(reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port)
                                : ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
    }
}

// recv() and send() without glibc's cancellation-point wrappers: in a multi-threaded process each
// call otherwise turns asynchronous cancellation on and off around the system call (atomic
// operations on the thread descriptor, about 1 % of a relaying worker's time in perf; a
// single-threaded nginx worker skips them). No thread of the gateway is ever cancelled.
inline ssize_t recvBytes(int fd, char *buffer, size_t size)
{
    return ::syscall(SYS_recvfrom, fd, buffer, size, 0, nullptr, nullptr);
}

inline ssize_t sendBytes(int fd, const char *data, size_t size)
{
    return ::syscall(SYS_sendto, fd, data, size, MSG_NOSIGNAL, nullptr, 0);
}

constexpr quint32 StreamEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
// With io_uring receiving, epoll reports only what the ring does not: connect and write space.
constexpr quint32 WriteEvents = EPOLLOUT | EPOLLET;
// While corked, writes are gathered up to this size, then sent: headers and small bodies go out
// in one segment, large bodies are not copied twice.
constexpr qsizetype CorkLimit = 16 * 1024;

} // namespace

TcpStream::TcpStream(int fd, bool connected)
    : m_fd(fd), m_connected(connected), m_dispatcher(EpollEventDispatcher::current())
{
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (m_dispatcher) {
        m_uring = m_dispatcher->uring();
        m_dispatcher->addFd(fd, this, m_uring ? WriteEvents : StreamEvents);
        updateReceive();
    }
}

TcpStream *TcpStream::adopt(int fd)
{
    const int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    auto *stream = new TcpStream(fd, true);
    fillAddresses(fd, stream);
    return stream;
}

TcpStream *TcpStream::connectTo(const QHostAddress &address, quint16 port, QString *error)
{
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        const Q_IPV6ADDR a = address.toIPv6Address();
        std::memcpy(&sin6->sin6_addr, &a, sizeof a);
        len = sizeof *sin6;
    } else {
        auto *sin = reinterpret_cast<sockaddr_in *>(&ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr.s_addr = htonl(address.toIPv4Address());
        len = sizeof *sin;
    }
    const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (error)
            *error = QString::fromLocal8Bit(std::strerror(errno));
        return nullptr;
    }
    const int rc = ::connect(fd, reinterpret_cast<sockaddr *>(&ss), len);
    if (rc != 0 && errno != EINPROGRESS) {
        if (error)
            *error = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        return nullptr;
    }
    auto *stream = new TcpStream(fd, rc == 0);
    stream->peerAddress = address;
    stream->peerPort = port;
    return stream;
}

TcpStream::~TcpStream()
{
    close();
}

void TcpStream::fail(int err)
{
    if (m_error.isEmpty())
        m_error = QString::fromLocal8Bit(std::strerror(err));
}

qsizetype TcpStream::read(char *buffer, qsizetype max)
{
    if (m_closed)
        return Failed;
    if (m_uring) {
        if (m_chunkHead < m_chunks.size())
            return readChunks(buffer, max);
        if (m_receiveError != 0) {
            fail(m_receiveError);
            return Failed;
        }
        return m_receiveEnded ? EndOfStream : WouldBlock;
    }
    // A short read emptied the socket: with edge-triggered epoll any later byte (or FIN) brings
    // a new event, so the next read can answer WouldBlock without a recv() that would only say
    // EAGAIN (one syscall saved per relayed chunk, as nginx does with rev->ready).
    if (m_drained)
        return WouldBlock;
    for (;;) {
        const ssize_t n = recvBytes(m_fd, buffer, size_t(max));
        if (n > 0) {
            if (n < max && !m_hangupSeen)
                m_drained = true;
            return n;
        }
        if (n == 0)
            return EndOfStream; // not marked drained: EOF is reported again after a resume
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            m_drained = true; // only a new edge brings more
            return WouldBlock;
        }
        fail(errno);
        return Failed;
    }
}

qsizetype TcpStream::readChunks(char *buffer, qsizetype max)
{
    qsizetype done = 0;
    while (done < max && m_chunkHead < m_chunks.size()) {
        const QByteArrayView next = peekReceived();
        const qsizetype n = qMin(max - done, next.size());
        std::memcpy(buffer + done, next.data(), size_t(n));
        done += n;
        consumeReceived(n);
    }
    return done;
}

QByteArrayView TcpStream::peekReceived() const
{
    if (m_closed || m_chunkHead >= m_chunks.size())
        return {};
    const Chunk &chunk = m_chunks[m_chunkHead];
    return {m_uring->buffer(chunk.buffer) + chunk.offset, chunk.size - chunk.offset};
}

void TcpStream::consumeReceived(qsizetype n)
{
    if (m_chunkHead >= m_chunks.size())
        return;
    Chunk &chunk = m_chunks[m_chunkHead];
    chunk.offset += qMin(n, chunk.size - chunk.offset);
    if (chunk.offset == chunk.size) {
        m_uring->releaseBuffer(chunk.buffer);
        ++m_chunkHead;
    }
    if (m_chunkHead == m_chunks.size()) {
        m_chunks.clear();
        m_chunkHead = 0;
    }
}

void TcpStream::releaseChunks()
{
    for (qsizetype i = m_chunkHead; i < m_chunks.size(); ++i)
        m_uring->releaseBuffer(m_chunks[i].buffer);
    m_chunks.clear();
    m_chunkHead = 0;
}

// Receiving follows m_readEnabled: armed while the owner reads, cancelled while it pauses
// (backpressure: a paused stream must not fill the pool), armed again when it resumes. A new
// receive is armed only after the previous one has completed for good, so data stays in order.
void TcpStream::updateReceive()
{
    if (!m_uring || m_closed || !m_connected || m_receiveEnded)
        return;
    if (m_readEnabled && m_receive == Receive::Off) {
        m_uring->armReceive(this, m_fd);
        m_receive = Receive::Armed;
        m_armedAt = m_uring->submissionSerial();
    } else if (!m_readEnabled && m_receive == Receive::Armed) {
        m_uring->cancel(this, UringHandler::Receive);
        m_receive = Receive::Cancelling;
    } else if (!m_readEnabled && m_receive == Receive::Starved) {
        m_uring->forget(this);
        m_receive = Receive::Off;
    }
}

void TcpStream::uringBufferFree()
{
    if (m_receive != Receive::Starved)
        return;
    m_receive = Receive::Off;
    updateReceive();
}

void TcpStream::uringCompletion(Op, int result, quint32 flags)
{
    if (result > 0 && (flags & IORING_CQE_F_BUFFER)) {
        const unsigned id = flags >> IORING_CQE_BUFFER_SHIFT;
        if (m_closed)
            m_uring->releaseBuffer(id);
        else
            m_chunks.append(Chunk{id, result, 0});
    }
    if (!(flags & IORING_CQE_F_MORE)) {
        // This receive is over.
        m_receive = Receive::Off;
        if (m_disposed) {
            m_uring->forget(this);
            m_dispatcher->deferDelete(this);
            return;
        }
        if (result == 0) {
            m_receiveEnded = true; // end of stream
        } else if (result < 0 && result != -ECANCELED && result != -ENOBUFS) {
            m_receiveEnded = true;
            m_receiveError = -result;
        }
        if (result == -ENOBUFS && !m_closed && m_readEnabled && !m_uring->waitForBuffer(this))
            m_receive = Receive::Starved;
        else
            updateReceive(); // armed again while the owner reads (a multishot may end early)
    }
    if (m_closed || (result <= 0 && !m_receiveEnded))
        return;
    if (m_readEnabled)
        notify(StreamOwner::Event::Readable);
    else
        m_readPending = true;
}

bool TcpStream::write(QByteArrayView bytes)
{
    if (m_closed || m_writeShut)
        return false;
    if (bytes.isEmpty())
        return true;
    if (!m_connected || pending() > 0 || m_corked) {
        if (m_out.isEmpty() && m_corked && m_connected)
            m_out.reserve(qMax<qsizetype>(bytes.size(), 1024));
        m_out.append(bytes.data(), bytes.size());
        if (m_corked && m_connected && pending() >= CorkLimit)
            return flush();
        return true;
    }
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = sendBytes(m_fd, bytes.data() + done, size_t(bytes.size() - done));
        if (n > 0) {
            done += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        fail(n < 0 ? errno : EPIPE);
        return false;
    }
    if (done < bytes.size())
        m_out.append(bytes.data() + done, bytes.size() - done);
    return true;
}

bool TcpStream::flush()
{
    while (m_outPos < m_out.size()) {
        const ssize_t n = sendBytes(m_fd, m_out.constData() + m_outPos,
                                    size_t(m_out.size() - m_outPos));
        if (n > 0) {
            m_outPos += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        fail(n < 0 ? errno : EPIPE);
        return false;
    }
    // Drained: release the buffer so idle connections hold no memory.
    m_out = QByteArray();
    m_outPos = 0;
    if (m_shutdownPending && !m_writeShut) {
        ::shutdown(m_fd, SHUT_WR);
        m_writeShut = true;
    }
    return true;
}

void TcpStream::uncork()
{
    if (!m_corked)
        return;
    m_corked = false;
    // A failed send is recorded (errorString); the socket's error then arrives as an epoll
    // event and the owner hears Closed, as for a failed write().
    if (!m_closed && m_connected && pending() > 0) {
        flush();
        // Someone saw output pending and may wait for Drained; if it all went at once no epoll
        // edge will say so: deliver Drained from the next loop iteration instead.
        if (m_drainOwed && pending() == 0 && m_dispatcher) {
            m_drainPosted = true;
            m_dispatcher->postIoEvent(this, EPOLLOUT);
        }
    }
    m_drainOwed = false;
}

void TcpStream::shutdownWrite()
{
    if (m_closed || m_writeShut)
        return;
    m_shutdownPending = true;
    if (m_connected && pending() == 0) {
        ::shutdown(m_fd, SHUT_WR);
        m_writeShut = true;
    }
}

void TcpStream::close()
{
    if (m_closed)
        return;
    if (m_corked && m_connected && pending() > 0) {
        // What a corked scope gathered would have been sent already without the cork: send it
        // now, as far as the kernel takes it, before the descriptor goes.
        m_corked = false;
        flush();
    }
    m_closed = true;
    if (m_dispatcher)
        m_dispatcher->removeFd(m_fd);
    if (m_uring) {
        // An armed receive holds the socket open until the ring has cancelled it (at the next
        // submission); its last completion arrives after that.
        if (m_receive == Receive::Armed) {
            m_uring->cancel(this, UringHandler::Receive);
            m_receive = Receive::Cancelling;
            // Still queued: the kernel would look the descriptor up after the close below (and
            // might find a new connection under the same number). Submit the receive and its
            // cancellation before closing.
            if (m_armedAt == m_uring->submissionSerial())
                m_uring->submitNow();
        } else if (m_receive == Receive::Starved) {
            m_uring->forget(this);
            m_receive = Receive::Off;
        }
        releaseChunks();
    }
    ::close(m_fd);
    m_out = QByteArray();
    m_outPos = 0;
}

void TcpStream::dispose()
{
    close();
    if (m_uring && m_receive != Receive::Off) {
        m_disposed = true; // deleted by the last completion (or with the loop)
        m_uring->keepUntilDone(this);
        return;
    }
    if (m_dispatcher)
        m_dispatcher->deferDelete(this);
    else
        delete this;
}

void TcpStream::setReadEnabled(bool enabled)
{
    if (m_readEnabled == enabled)
        return;
    m_readEnabled = enabled;
    if (m_uring) {
        updateReceive();
        if (enabled && (m_readPending || m_chunkHead < m_chunks.size() || m_receiveEnded)) {
            m_readPending = false;
            notify(StreamOwner::Event::Readable);
        }
        return;
    }
    // Edge-triggered: if reading stopped before the socket was drained, no new edge will come,
    // so a resume must look again.
    if (enabled && (m_readPending || !m_drained)) {
        m_readPending = false;
        notify(StreamOwner::Event::Readable);
    }
}

void TcpStream::ioEvent(quint32 events)
{
    if (m_closed)
        return;
    if (!m_connected) {
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0 || (events & EPOLLERR)) {
                fail(err ? err : ECONNREFUSED);
                notify(StreamOwner::Event::Closed);
                return;
            }
            m_connected = true;
            fillAddresses(m_fd, this);
            updateReceive();
            notify(StreamOwner::Event::Connected);
            if (m_closed)
                return;
            if (pending() > 0 && !flush()) {
                notify(StreamOwner::Event::Closed);
                return;
            }
        }
        return;
    }
    if (events & EPOLLOUT) {
        const bool hadOutput = pending() > 0;
        if (!hadOutput && std::exchange(m_drainPosted, false)) {
            notify(StreamOwner::Event::Drained);
            if (m_closed)
                return;
        }
        if (hadOutput) {
            if (!flush()) {
                notify(StreamOwner::Event::Closed);
                return;
            }
            if (pending() == 0) {
                notify(StreamOwner::Event::Drained);
                if (m_closed)
                    return;
            }
        }
    }
    if (m_uring)
        return; // the ring's receive reports data, end of stream and errors
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        m_drained = false;
        if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
            m_hangupSeen = true; // read on until EOF/error is seen
        if (m_readEnabled)
            notify(StreamOwner::Event::Readable);
        else
            m_readPending = true;
    }
}

qint64 tcpRttOf(int fd)
{
    tcp_info info{};
    socklen_t len = sizeof info;
    if (fd < 0 || ::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
        return -1;
    return qint64(info.tcpi_rtt);
}

qint64 TcpStream::tcpRttUs() const
{
    return tcpRttOf(m_fd);
}

} // namespace Gateway::Net
