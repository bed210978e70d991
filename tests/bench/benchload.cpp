// benchload: the benchmark's WebSocket load generator, one thread on epoll.
//
//   benchload ws --port N [--host 127.0.0.1] [--path /ws] [--active 50] [--idle 0] [--size 32]
//                [--seconds 5] [--warmup 0.5] [--rss-pids PID,PID,...] [--cpu-pids PID,...]
//                [--label TEXT]
//   benchload free-port          prints a free loopback TCP port
//   benchload cpu-ns PID,...     prints the CPU time the processes' threads have used, in ns
//
// ws: opens --idle sessions first (WebSocket handshake through the proxy, then held silent), then
// --active sessions that each do ping-pong round trips: send one masked text frame of --size
// bytes, wait for the whole echo, send the next. After --warmup seconds it counts for --seconds.
// With --rss-pids it sums VmRSS of those processes before the idle sessions and after they are
// open, and reports the difference per idle session. With --cpu-pids it reports the CPU time
// those processes (the proxy) used during the counted window per message (proxyCpuUsPerMsg), a
// figure that moves much less between runs than the rate. It prints one JSON object on stdout:
//   {"messages":..,"msgsPerSec":..,"mbPerSec":..,"p50us":..,"p99us":..,"errors":..,...}
// mbPerSec counts the echoed payload one way (10^6 bytes per second).

#include "benchcommon.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <dirent.h>
#include <sys/epoll.h>
#include <sys/resource.h>

namespace {

enum class State { Connecting, Handshake, Open, Dead };

struct Session
{
    int fd = -1;
    State state = State::Connecting;
    bool active = false;
    bool wantWrite = false;
    std::string head; // handshake response collected so far
    std::string key;
    size_t sendOffset = 0; // of the current message (active sessions)
    bool sending = false;
    int64_t sentAt = 0;
    // Streaming frame parser for the echo (payload is skipped, not buffered).
    unsigned char frameHeader[14];
    size_t frameHeaderSize = 0;
    uint64_t payloadLeft = 0;
    bool inPayload = false;
    bool finalFrame = false;
    uint64_t messageBytes = 0;
};

struct Options
{
    std::string host = "127.0.0.1";
    int port = 0;
    std::string path = "/ws";
    int active = 50;
    int idle = 0;
    size_t size = 32;
    double seconds = 5;
    double warmup = 0.5;
    std::vector<int> rssPids;
    std::vector<int> cpuPids;
    std::string label;
};

Options g_options;
int g_epoll = -1;
std::vector<Session> g_sessions;
std::string g_frame;           // the one masked message every active session sends
std::vector<uint32_t> g_rttNs; // per-message round trips during the measured window
uint64_t g_messages = 0;
uint64_t g_errors = 0;
bool g_counting = false;
bool g_stopSending = false;
std::string g_firstError;
std::vector<char> g_readBuffer(512 * 1024);

void fail(Session &s, const std::string &why)
{
    if (s.state == State::Dead)
        return;
    ++g_errors;
    if (g_firstError.empty())
        g_firstError = why;
    epoll_ctl(g_epoll, EPOLL_CTL_DEL, s.fd, nullptr);
    ::close(s.fd);
    s.state = State::Dead;
}

void setWantWrite(Session &s, size_t index, bool want)
{
    if (s.wantWrite == want)
        return;
    s.wantWrite = want;
    epoll_event ev{};
    ev.events = EPOLLIN | (want ? uint32_t(EPOLLOUT) : 0u);
    ev.data.u64 = index;
    epoll_ctl(g_epoll, EPOLL_CTL_MOD, s.fd, &ev);
}

bool startConnect(size_t index)
{
    Session &s = g_sessions[index];
    s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.fd < 0) {
        std::fprintf(stderr, "benchload: socket: %s\n", std::strerror(errno));
        return false;
    }
    Bench::setNoDelay(s.fd);
    sockaddr_in address = Bench::loopback(g_options.port, g_options.host.c_str());
    const int rc = ::connect(s.fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
    if (rc != 0 && errno != EINPROGRESS) {
        fail(s, std::string("connect: ") + std::strerror(errno));
        return true;
    }
    s.state = State::Connecting;
    s.wantWrite = true;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = index;
    epoll_ctl(g_epoll, EPOLL_CTL_ADD, s.fd, &ev);
    return true;
}

void sendHandshake(Session &s, size_t index)
{
    static std::mt19937_64 random(12345);
    unsigned char raw[16];
    for (auto &b : raw)
        b = static_cast<unsigned char>(random());
    unsigned char encoded[32];
    const int n = EVP_EncodeBlock(encoded, raw, 16);
    s.key.assign(reinterpret_cast<const char *>(encoded), size_t(n));
    std::string request =
        "GET " + g_options.path + " HTTP/1.1\r\nHost: " + g_options.host + ":"
        + std::to_string(g_options.port)
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          "Sec-WebSocket-Key: "
        + s.key + "\r\n\r\n";
    // The request is small: one send goes through on a fresh connection.
    if (::send(s.fd, request.data(), request.size(), MSG_NOSIGNAL) != ssize_t(request.size())) {
        fail(s, "handshake send");
        return;
    }
    s.state = State::Handshake;
    setWantWrite(s, index, false);
}

void sendMessage(Session &s, size_t index)
{
    if (!s.sending) {
        s.sending = true;
        s.sendOffset = 0;
        s.sentAt = Bench::nowNs();
    }
    while (s.sendOffset < g_frame.size()) {
        const ssize_t n = ::send(s.fd, g_frame.data() + s.sendOffset, g_frame.size() - s.sendOffset,
                                 MSG_NOSIGNAL);
        if (n > 0) {
            s.sendOffset += size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            setWantWrite(s, index, true);
            return;
        }
        fail(s, std::string("send: ") + std::strerror(errno));
        return;
    }
    setWantWrite(s, index, false);
}

void messageDone(Session &s, size_t index)
{
    const int64_t now = Bench::nowNs();
    if (s.messageBytes != g_options.size) {
        fail(s, "echo of " + std::to_string(s.messageBytes) + " bytes, expected "
                    + std::to_string(g_options.size));
        return;
    }
    s.messageBytes = 0;
    s.sending = false;
    if (g_counting) {
        ++g_messages;
        g_rttNs.push_back(uint32_t(std::min<int64_t>(now - s.sentAt, UINT32_MAX)));
    }
    if (!g_stopSending)
        sendMessage(s, index);
}

// Consumes echoed frames from data; returns false if the session failed.
bool consumeFrames(Session &s, size_t index, const unsigned char *data, size_t size)
{
    while (size > 0) {
        if (s.inPayload) {
            const uint64_t take = std::min<uint64_t>(s.payloadLeft, size);
            s.payloadLeft -= take;
            s.messageBytes += take;
            data += take;
            size -= size_t(take);
            if (s.payloadLeft == 0) {
                s.inPayload = false;
                if (s.finalFrame) {
                    messageDone(s, index);
                    if (s.state == State::Dead)
                        return false;
                }
            }
            continue;
        }
        s.frameHeader[s.frameHeaderSize++] = *data++;
        --size;
        if (s.frameHeaderSize < 2)
            continue;
        const uint64_t len7 = s.frameHeader[1] & 0x7f;
        const size_t need = 2
                            + (len7 == 126   ? 2
                               : len7 == 127 ? 8
                                             : 0)
                            + ((s.frameHeader[1] & 0x80) ? 4 : 0);
        if (s.frameHeaderSize < need)
            continue;
        uint64_t length = len7;
        if (len7 == 126)
            length = (uint64_t(s.frameHeader[2]) << 8) | s.frameHeader[3];
        else if (len7 == 127) {
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | s.frameHeader[2 + i];
        }
        const int opcode = s.frameHeader[0] & 0x0f;
        s.finalFrame = s.frameHeader[0] & 0x80;
        s.frameHeaderSize = 0;
        if (opcode == 0x8) {
            fail(s, "closed by the proxy (close frame)");
            return false;
        }
        if (opcode >= 0x8) { // ping/pong: not part of the message
            s.finalFrame = false;
        }
        s.payloadLeft = length;
        s.inPayload = true;
        if (length == 0) {
            s.inPayload = false;
            if (s.finalFrame) {
                messageDone(s, index);
                if (s.state == State::Dead)
                    return false;
            }
        }
    }
    return true;
}

void onHandshakeData(Session &s, size_t index, const char *data, size_t size)
{
    s.head.append(data, size);
    const size_t end = s.head.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (s.head.size() > 16384)
            fail(s, "handshake response too long");
        return;
    }
    const std::string_view head(s.head.data(), end + 2);
    if (head.substr(0, 12) != "HTTP/1.1 101") {
        fail(s, "handshake refused: " + std::string(head.substr(0, head.find("\r\n"))));
        return;
    }
    if (Bench::headerValue(head, "sec-websocket-accept") != Bench::webSocketAccept(s.key)) {
        fail(s, "wrong Sec-WebSocket-Accept");
        return;
    }
    const std::string rest = s.head.substr(end + 4);
    s.head.clear();
    s.head.shrink_to_fit();
    s.state = State::Open;
    if (!rest.empty()
        && !consumeFrames(s, index, reinterpret_cast<const unsigned char *>(rest.data()),
                          rest.size()))
        return;
    if (s.active && !g_stopSending)
        sendMessage(s, index);
}

void onEvent(size_t index, uint32_t events)
{
    Session &s = g_sessions[index];
    if (s.state == State::Dead)
        return;
    if (events & EPOLLOUT) {
        if (s.state == State::Connecting) {
            int error = 0;
            socklen_t length = sizeof error;
            getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &error, &length);
            if (error != 0) {
                fail(s, std::string("connect: ") + std::strerror(error));
                return;
            }
            sendHandshake(s, index);
            if (s.state == State::Dead)
                return;
        } else if (s.state == State::Open && s.sending) {
            sendMessage(s, index);
            if (s.state == State::Dead)
                return;
        }
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        return;
    for (;;) {
        const ssize_t n = ::recv(s.fd, g_readBuffer.data(), g_readBuffer.size(), 0);
        if (n > 0) {
            if (s.state == State::Handshake)
                onHandshakeData(s, index, g_readBuffer.data(), size_t(n));
            else if (s.state == State::Open)
                consumeFrames(s, index,
                              reinterpret_cast<const unsigned char *>(g_readBuffer.data()),
                              size_t(n));
            if (s.state == State::Dead || size_t(n) < g_readBuffer.size())
                return;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (s.state == State::Connecting && n < 0)
            fail(s, std::string("connect: ") + std::strerror(errno));
        else
            fail(s, n == 0 ? "closed by the proxy" : std::string("recv: ") + std::strerror(errno));
        return;
    }
}

void poll(int timeoutMs)
{
    static std::vector<epoll_event> events(4096);
    const int count = epoll_wait(g_epoll, events.data(), int(events.size()), timeoutMs);
    for (int i = 0; i < count; ++i)
        onEvent(size_t(events[i].data.u64), events[i].events);
}

long rssKiB(const std::vector<int> &pids)
{
    long total = 0;
    for (int pid : pids) {
        std::ifstream status("/proc/" + std::to_string(pid) + "/status");
        std::string line;
        while (std::getline(status, line)) {
            if (line.rfind("VmRSS:", 0) == 0) {
                total += std::atol(line.c_str() + 6);
                break;
            }
        }
    }
    return total;
}

// CPU time used so far by every thread of the processes (/proc/PID/task/TID/schedstat: the first
// field is the time on a CPU in ns; threads that ended are not counted).
uint64_t cpuNs(const std::vector<int> &pids)
{
    uint64_t total = 0;
    for (int pid : pids) {
        const std::string taskDir = "/proc/" + std::to_string(pid) + "/task";
        DIR *dir = ::opendir(taskDir.c_str());
        if (!dir)
            continue;
        while (const dirent *entry = ::readdir(dir)) {
            if (entry->d_name[0] == '.')
                continue;
            std::ifstream schedstat(taskDir + "/" + entry->d_name + "/schedstat");
            uint64_t ns = 0;
            if (schedstat >> ns)
                total += ns;
        }
        ::closedir(dir);
    }
    return total;
}

// Opens sessions [first, last) with at most `window` handshakes in flight; returns seconds taken
// or -1 on timeout.
double openSessions(size_t first, size_t last, size_t window, double timeoutSeconds)
{
    const int64_t start = Bench::nowNs();
    size_t next = first;
    for (;;) {
        size_t pending = 0;
        for (size_t i = first; i < next; ++i) {
            if (g_sessions[i].state == State::Connecting || g_sessions[i].state == State::Handshake)
                ++pending;
        }
        while (next < last && pending < window) {
            if (!startConnect(next++))
                return -1;
            ++pending;
        }
        if (next == last && pending == 0)
            return double(Bench::nowNs() - start) / 1e9;
        if (double(Bench::nowNs() - start) / 1e9 > timeoutSeconds)
            return -1;
        poll(10);
    }
}

std::vector<int> parsePids(const std::string &text)
{
    std::vector<int> pids;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ','))
        if (!item.empty())
            pids.push_back(std::atoi(item.c_str()));
    return pids;
}

std::string jsonSafe(std::string text)
{
    for (char &c : text)
        if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20)
            c = '\'';
    return text;
}

int usage()
{
    std::fprintf(
        stderr,
        "usage: benchload ws --port N [--host H] [--path P] [--active N] [--idle K] [--size "
        "BYTES]\n"
        "                    [--seconds S] [--warmup S] [--rss-pids PID,...] [--cpu-pids "
        "PID,...]\n"
        "                    [--label TEXT]\n"
        "       benchload free-port\n"
        "       benchload cpu-ns PID,...\n");
    return 2;
}

int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = Bench::loopback(0);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        return 1;
    socklen_t size = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr *>(&address), &size);
    std::printf("%d\n", ntohs(address.sin_port));
    ::close(fd);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const std::string mode = argv[1];
    if (mode == "free-port")
        return freePort();
    if (mode == "cpu-ns" && argc == 3) {
        std::printf("%llu\n", static_cast<unsigned long long>(cpuNs(parsePids(argv[2]))));
        return 0;
    }
    if (mode != "ws")
        return usage();
    Options &o = g_options;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc)
            return usage();
        const char *value = argv[++i];
        if (arg == "--port")
            o.port = std::atoi(value);
        else if (arg == "--host")
            o.host = value;
        else if (arg == "--path")
            o.path = value;
        else if (arg == "--active")
            o.active = std::atoi(value);
        else if (arg == "--idle")
            o.idle = std::atoi(value);
        else if (arg == "--size")
            o.size = size_t(std::atoll(value));
        else if (arg == "--seconds")
            o.seconds = std::atof(value);
        else if (arg == "--warmup")
            o.warmup = std::atof(value);
        else if (arg == "--rss-pids")
            o.rssPids = parsePids(value);
        else if (arg == "--cpu-pids")
            o.cpuPids = parsePids(value);
        else if (arg == "--label")
            o.label = value;
        else
            return usage();
    }
    if (o.port <= 0 || o.active < 0 || o.idle < 0 || o.seconds <= 0 || o.size > (64u << 20))
        return usage();
    std::signal(SIGPIPE, SIG_IGN);
    rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    if (rlim_t(o.active + o.idle + 64) > limit.rlim_cur) {
        std::fprintf(stderr, "benchload: %d sessions need more open files than the limit %llu\n",
                     o.active + o.idle, static_cast<unsigned long long>(limit.rlim_cur));
        return 1;
    }

    // The message: one masked text frame (FIN) of o.size bytes.
    {
        unsigned char header[14];
        size_t h = 2;
        header[0] = 0x81;
        if (o.size < 126) {
            header[1] = 0x80 | static_cast<unsigned char>(o.size);
        } else if (o.size <= 0xffff) {
            header[1] = 0x80 | 126;
            header[2] = static_cast<unsigned char>(o.size >> 8);
            header[3] = static_cast<unsigned char>(o.size);
            h = 4;
        } else {
            header[1] = 0x80 | 127;
            for (int i = 0; i < 8; ++i)
                header[2 + i] = static_cast<unsigned char>(uint64_t(o.size) >> (56 - 8 * i));
            h = 10;
        }
        const unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};
        std::memcpy(header + h, mask, 4);
        h += 4;
        g_frame.assign(reinterpret_cast<const char *>(header), h);
        for (size_t i = 0; i < o.size; ++i)
            g_frame.push_back(char(('a' + i % 26) ^ mask[i & 3]));
    }

    g_epoll = epoll_create1(EPOLL_CLOEXEC);
    g_sessions.resize(size_t(o.idle + o.active));
    for (int i = 0; i < o.active; ++i)
        g_sessions[size_t(o.idle + i)].active = true;

    const long rssBefore = o.rssPids.empty() ? 0 : rssKiB(o.rssPids);
    double idleOpenSeconds = 0;
    long rssAfter = 0;
    if (o.idle > 0) {
        g_stopSending = true; // no active session yet; idle ones never send
        idleOpenSeconds = openSessions(0, size_t(o.idle), 200, 120);
        size_t open = 0;
        for (int i = 0; i < o.idle; ++i)
            open += g_sessions[size_t(i)].state == State::Open;
        if (idleOpenSeconds < 0 || open != size_t(o.idle)) {
            std::fprintf(stderr, "benchload: only %zu of %d idle sessions opened (%s)\n", open,
                         o.idle, g_firstError.c_str());
            std::printf("{\"label\":\"%s\",\"error\":\"only %zu of %d idle sessions opened\"}\n",
                        o.label.c_str(), open, o.idle);
            return 1;
        }
        // Let the proxy settle (lazy allocations, deferred frees), then measure.
        const int64_t settleUntil = Bench::nowNs() + 300'000'000;
        while (Bench::nowNs() < settleUntil)
            poll(10);
        rssAfter = o.rssPids.empty() ? 0 : rssKiB(o.rssPids);
        g_stopSending = false;
    }

    if (o.active > 0) {
        g_stopSending = false;
        if (openSessions(size_t(o.idle), g_sessions.size(), 200, 60) < 0) {
            std::fprintf(stderr, "benchload: active sessions did not open (%s)\n",
                         g_firstError.c_str());
            std::printf("{\"label\":\"%s\",\"error\":\"active sessions did not open\"}\n",
                        o.label.c_str());
            return 1;
        }
    }
    // Warm up, then count.
    const int64_t warmEnd = Bench::nowNs() + int64_t(o.warmup * 1e9);
    while (Bench::nowNs() < warmEnd)
        poll(5);
    g_rttNs.reserve(size_t(o.seconds * 400'000));
    const uint64_t errorsAtStart = g_errors;
    g_counting = true;
    const uint64_t cpuAtStart = cpuNs(o.cpuPids);
    const int64_t start = Bench::nowNs();
    const int64_t end = start + int64_t(o.seconds * 1e9);
    while (Bench::nowNs() < end)
        poll(5);
    g_counting = false;
    const uint64_t cpuUsed = cpuNs(o.cpuPids) - cpuAtStart;
    g_stopSending = true;
    const double elapsed = double(Bench::nowNs() - start) / 1e9;

    std::sort(g_rttNs.begin(), g_rttNs.end());
    auto percentile = [](double p) {
        if (g_rttNs.empty())
            return 0.0;
        const size_t at = std::min(g_rttNs.size() - 1, size_t(p * double(g_rttNs.size())));
        return g_rttNs[at] / 1000.0;
    };
    size_t idleAlive = 0;
    for (int i = 0; i < o.idle; ++i)
        idleAlive += g_sessions[size_t(i)].state == State::Open;
    const double perIdle = o.idle > 0 && !o.rssPids.empty()
                               ? double(rssAfter - rssBefore) * 1024.0 / o.idle
                               : 0.0;
    std::printf(
        "{\"label\":\"%s\",\"active\":%d,\"idle\":%d,\"size\":%zu,\"seconds\":%.3f,"
        "\"messages\":%llu,\"msgsPerSec\":%.1f,\"mbPerSec\":%.2f,\"p50us\":%.1f,\"p99us\":%.1f,"
        "\"errors\":%llu,\"setupErrors\":%llu,\"idleAlive\":%zu,\"idleOpenSeconds\":%.3f,"
        "\"rssBeforeKiB\":%ld,\"rssAfterKiB\":%ld,\"rssPerIdleSessionBytes\":%.0f,"
        "\"proxyCpuUsPerMsg\":%.3f,\"firstError\":\"%s\"}\n",
        o.label.c_str(), o.active, o.idle, o.size, elapsed,
        static_cast<unsigned long long>(g_messages), double(g_messages) / elapsed,
        double(g_messages) * double(o.size) / elapsed / 1e6, percentile(0.50), percentile(0.99),
        static_cast<unsigned long long>(g_errors - errorsAtStart),
        static_cast<unsigned long long>(errorsAtStart), idleAlive, idleOpenSeconds, rssBefore,
        rssAfter, perIdle,
        o.cpuPids.empty() || g_messages == 0 ? 0.0 : double(cpuUsed) / 1000.0 / double(g_messages),
        jsonSafe(g_firstError).c_str());
    std::fflush(stdout);
    for (auto &s : g_sessions)
        if (s.state != State::Dead)
            ::close(s.fd);
    return 0;
}
