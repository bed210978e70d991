#pragma once

// Small helpers shared by the benchmark's backend and load generator (plain C++, no Qt): the
// WebSocket accept key, socket setup and a monotonic clock.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

namespace Bench {

// Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2): base64(SHA-1(key + GUID)).
inline std::string webSocketAccept(std::string_view key)
{
    std::string input(key);
    input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char *>(input.data()), input.size(), digest);
    unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
    const int length = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
    return std::string(reinterpret_cast<const char *>(encoded), size_t(length));
}

inline int64_t nowNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline void setNonBlocking(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

inline void setNoDelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

inline sockaddr_in loopback(int port, const char *host = "127.0.0.1")
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(port));
    inet_pton(AF_INET, host, &address.sin_addr);
    return address;
}

// Case-insensitive search for a header's value in a request/response head ("" if absent).
inline std::string_view headerValue(std::string_view head, std::string_view name)
{
    size_t pos = 0;
    while ((pos = head.find("\r\n", pos)) != std::string_view::npos) {
        pos += 2;
        if (head.size() - pos < name.size() + 1)
            return {};
        bool match = true;
        for (size_t i = 0; i < name.size() && match; ++i) {
            char c = head[pos + i];
            if (c >= 'A' && c <= 'Z')
                c = char(c - 'A' + 'a');
            match = c == name[i];
        }
        if (!match || head[pos + name.size()] != ':')
            continue;
        size_t begin = pos + name.size() + 1;
        size_t end = head.find("\r\n", begin);
        if (end == std::string_view::npos)
            end = head.size();
        while (begin < end && (head[begin] == ' ' || head[begin] == '\t'))
            ++begin;
        while (end > begin && (head[end - 1] == ' ' || head[end - 1] == '\t'))
            --end;
        return head.substr(begin, end - begin);
    }
    return {};
}

inline bool containsNoCase(std::string_view haystack, std::string_view needle)
{
    if (needle.size() > haystack.size())
        return false;
    for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
        bool match = true;
        for (size_t j = 0; j < needle.size() && match; ++j) {
            char c = haystack[i + j];
            if (c >= 'A' && c <= 'Z')
                c = char(c - 'A' + 'a');
            match = c == needle[j];
        }
        if (match)
            return true;
    }
    return false;
}

} // namespace Bench
