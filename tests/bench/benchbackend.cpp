// benchbackend: the benchmark's back end, one thread on epoll. Every connection starts as
// HTTP/1.1 keep-alive: a request with "Upgrade: websocket" gets a correct 101 (Sec-WebSocket-Accept)
// and the connection becomes a WebSocket echo (text/binary echoed as one unmasked frame, ping
// answered with pong, close echoed then the connection closed); any other request gets a fixed
// 200 with a small body.
//
//   benchbackend --port N [--address 127.0.0.1]
//
// It prints "benchbackend: listening on ADDRESS:PORT" on stderr once bound and runs until killed.

#include "benchcommon.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/epoll.h>
#include <sys/resource.h>

namespace {

constexpr size_t ReadChunk = 256 * 1024;
constexpr size_t MaxHead = 64 * 1024;
constexpr uint64_t MaxFrame = 64ull * 1024 * 1024;

const std::string HttpResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!";

struct Connection
{
    int fd = -1;
    bool webSocket = false;
    bool closeAfterFlush = false;
    bool wantWrite = false;
    std::string in; // unparsed input (from inOffset)
    size_t inOffset = 0;
    std::string out; // unsent output (from outOffset)
    size_t outOffset = 0;
    uint64_t bodyToSkip = 0; // HTTP request body still to discard
};

int g_epoll = -1;
std::unordered_map<int, std::unique_ptr<Connection>> g_connections;
std::vector<char> g_readBuffer(ReadChunk);

void closeConnection(Connection *c)
{
    epoll_ctl(g_epoll, EPOLL_CTL_DEL, c->fd, nullptr);
    ::close(c->fd);
    g_connections.erase(c->fd);
}

void updateInterest(Connection *c, bool wantWrite)
{
    if (c->wantWrite == wantWrite)
        return;
    c->wantWrite = wantWrite;
    epoll_event ev{};
    ev.events = EPOLLIN | (wantWrite ? uint32_t(EPOLLOUT) : 0u);
    ev.data.fd = c->fd;
    epoll_ctl(g_epoll, EPOLL_CTL_MOD, c->fd, &ev);
}

// Writes what is queued; returns false when the connection was closed.
bool flush(Connection *c)
{
    while (c->outOffset < c->out.size()) {
        const ssize_t n = ::send(c->fd, c->out.data() + c->outOffset, c->out.size() - c->outOffset,
                                 MSG_NOSIGNAL);
        if (n > 0) {
            c->outOffset += size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            updateInterest(c, true);
            return true;
        }
        closeConnection(c);
        return false;
    }
    c->out.clear();
    c->outOffset = 0;
    updateInterest(c, false);
    if (c->closeAfterFlush) {
        closeConnection(c);
        return false;
    }
    return true;
}

// Parses HTTP requests from c->in; returns false on a protocol error.
bool processHttp(Connection *c)
{
    while (c->inOffset < c->in.size()) {
        if (c->bodyToSkip > 0) {
            const uint64_t take = std::min<uint64_t>(c->bodyToSkip, c->in.size() - c->inOffset);
            c->inOffset += take;
            c->bodyToSkip -= take;
            continue;
        }
        const std::string_view rest(c->in.data() + c->inOffset, c->in.size() - c->inOffset);
        const size_t end = rest.find("\r\n\r\n");
        if (end == std::string_view::npos)
            return rest.size() <= MaxHead;
        const std::string_view head = rest.substr(0, end + 2);
        c->inOffset += end + 4;
        if (Bench::containsNoCase(Bench::headerValue(head, "upgrade"), "websocket")) {
            const std::string_view key = Bench::headerValue(head, "sec-websocket-key");
            if (key.empty())
                return false;
            c->out +=
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: ";
            c->out += Bench::webSocketAccept(key);
            c->out += "\r\n\r\n";
            c->webSocket = true;
            return true;
        }
        const std::string_view length = Bench::headerValue(head, "content-length");
        if (!length.empty())
            c->bodyToSkip = std::strtoull(std::string(length).c_str(), nullptr, 10);
        c->out += HttpResponse;
        if (Bench::containsNoCase(Bench::headerValue(head, "connection"), "close"))
            c->closeAfterFlush = true;
    }
    return true;
}

// Echoes every complete frame in c->in; returns false on a protocol error.
bool processWebSocket(Connection *c)
{
    for (;;) {
        const size_t available = c->in.size() - c->inOffset;
        const auto *p = reinterpret_cast<const unsigned char *>(c->in.data() + c->inOffset);
        if (available < 2)
            return true;
        const int opcode = p[0] & 0x0f;
        const bool masked = p[1] & 0x80;
        uint64_t length = p[1] & 0x7f;
        size_t header = 2;
        if (length == 126) {
            if (available < 4)
                return true;
            length = (uint64_t(p[2]) << 8) | p[3];
            header = 4;
        } else if (length == 127) {
            if (available < 10)
                return true;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | p[2 + i];
            header = 10;
        }
        if (length > MaxFrame)
            return false;
        const size_t maskAt = header;
        if (masked)
            header += 4;
        if (available < header + length)
            return true;
        // Reply: same FIN/opcode, unmasked.
        unsigned char replyHeader[10];
        size_t replyHeaderSize = 2;
        replyHeader[0] = p[0];
        if (opcode == 0x9)
            replyHeader[0] = (p[0] & 0xf0) | 0xA; // ping -> pong
        if (length < 126) {
            replyHeader[1] = static_cast<unsigned char>(length);
        } else if (length <= 0xffff) {
            replyHeader[1] = 126;
            replyHeader[2] = static_cast<unsigned char>(length >> 8);
            replyHeader[3] = static_cast<unsigned char>(length);
            replyHeaderSize = 4;
        } else {
            replyHeader[1] = 127;
            for (int i = 0; i < 8; ++i)
                replyHeader[2 + i] = static_cast<unsigned char>(length >> (56 - 8 * i));
            replyHeaderSize = 10;
        }
        if (opcode != 0xA) { // unsolicited pongs are not answered
            c->out.append(reinterpret_cast<const char *>(replyHeader), replyHeaderSize);
            const size_t at = c->out.size();
            c->out.append(reinterpret_cast<const char *>(p + header), length);
            if (masked) {
                unsigned char mask[4];
                std::memcpy(mask, p + maskAt, 4);
                auto *q = reinterpret_cast<unsigned char *>(c->out.data() + at);
                for (uint64_t i = 0; i < length; ++i)
                    q[i] ^= mask[i & 3];
            }
        }
        c->inOffset += header + length;
        if (opcode == 0x8) {
            c->closeAfterFlush = true;
            return true;
        }
    }
}

void onReadable(Connection *c)
{
    for (;;) {
        const ssize_t n = ::recv(c->fd, g_readBuffer.data(), g_readBuffer.size(), 0);
        if (n > 0) {
            c->in.append(g_readBuffer.data(), size_t(n));
            if (size_t(n) < g_readBuffer.size())
                break;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        closeConnection(c); // EOF or error
        return;
    }
    bool ok = true;
    if (!c->webSocket)
        ok = processHttp(c);
    if (ok && c->webSocket && !c->closeAfterFlush)
        ok = processWebSocket(c);
    if (!ok) {
        closeConnection(c);
        return;
    }
    // Drop consumed input (keep the buffer's capacity).
    if (c->inOffset == c->in.size()) {
        c->in.clear();
        c->inOffset = 0;
    } else if (c->inOffset > 0) {
        c->in.erase(0, c->inOffset);
        c->inOffset = 0;
    }
    if (!c->out.empty() && !c->wantWrite)
        flush(c);
}

} // namespace

int main(int argc, char **argv)
{
    int port = 0;
    const char *address = "127.0.0.1";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--port" && i + 1 < argc)
            port = std::atoi(argv[++i]);
        else if (arg == "--address" && i + 1 < argc)
            address = argv[++i];
        else {
            std::fprintf(stderr, "usage: benchbackend --port N [--address 127.0.0.1]\n");
            return 2;
        }
    }
    std::signal(SIGPIPE, SIG_IGN);
    rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }

    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in bindAddress = Bench::loopback(port, address);
    if (::bind(listener, reinterpret_cast<sockaddr *>(&bindAddress), sizeof bindAddress) != 0
        || ::listen(listener, 4096) != 0) {
        std::fprintf(stderr, "benchbackend: cannot listen on %s:%d: %s\n", address, port,
                     std::strerror(errno));
        return 1;
    }
    socklen_t size = sizeof bindAddress;
    getsockname(listener, reinterpret_cast<sockaddr *>(&bindAddress), &size);
    std::fprintf(stderr, "benchbackend: listening on %s:%d\n", address, ntohs(bindAddress.sin_port));

    g_epoll = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listener;
    epoll_ctl(g_epoll, EPOLL_CTL_ADD, listener, &ev);

    std::vector<epoll_event> events(1024);
    for (;;) {
        const int count = epoll_wait(g_epoll, events.data(), int(events.size()), -1);
        if (count < 0 && errno == EINTR)
            continue;
        for (int i = 0; i < count; ++i) {
            const int fd = events[i].data.fd;
            if (fd == listener) {
                for (;;) {
                    const int client = ::accept4(listener, nullptr, nullptr,
                                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (client < 0)
                        break;
                    Bench::setNoDelay(client);
                    auto connection = std::make_unique<Connection>();
                    connection->fd = client;
                    epoll_event cev{};
                    cev.events = EPOLLIN;
                    cev.data.fd = client;
                    epoll_ctl(g_epoll, EPOLL_CTL_ADD, client, &cev);
                    g_connections[client] = std::move(connection);
                }
                continue;
            }
            auto it = g_connections.find(fd);
            if (it == g_connections.end())
                continue;
            Connection *c = it->second.get();
            if (events[i].events & EPOLLOUT) {
                if (!flush(c))
                    continue;
            }
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                onReadable(c);
        }
    }
}
