#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A blocking TCP socket. TWS connections are few and long-lived, so each gets a thread that
/// blocks in `receive`; writes take a lock so that frames from several tasks never interleave.
public final class TWSSocket: Sendable {
    let fd: Int32
    let writeLock = Mutex(())
    let isShut = Atomic<Bool>(false)

    init(fd: Int32) {
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { _ = systemClose(fd) }

    /// Connects to `host:port`, giving up after `timeout` seconds.
    /// - Throws: `TWSSocketError` naming the host, port and the system's reason.
    public static func connect(host: String, port: Int, timeout: Double = 5) throws -> TWSSocket {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let info = list else {
            throw TWSSocketError("cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { throw TWSSocketError.system("socket") }
        let s = TWSSocket(fd: fd)
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard systemConnect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            throw TWSSocketError.system("connect to \(host):\(port)")
        }
        var none = timeval()
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
        return s
    }

    /// Sends every byte, or throws once the peer is gone.
    public func send(_ bytes: [UInt8]) throws {
        try writeLock.withLock { _ in
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { systemSend(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw TWSSocketError.system("send") }
                sent += n
            }
        }
    }

    /// The next bytes received; empty once the peer has closed or `shutdown()` was called.
    public func receive(max: Int = 65_536) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
            if n < 0 && errno == EINTR { continue }
            return n > 0 ? Array(buffer[..<n]) : []
        }
    }

    /// Ends the connection both ways and wakes a thread blocked in `receive`.
    public func shutdown() {
        guard !isShut.exchange(true, ordering: .sequentiallyConsistent) else { return }
        _ = systemShutdown(fd, Int32(SHUT_RDWR))
    }
}

/// A listening socket on loopback (or another address) for twsim.
public final class TWSListener: Sendable {
    let fd: Int32
    /// The bound port: the one asked for, or the system's choice for 0.
    public let port: Int
    let isShut = Atomic<Bool>(false)

    public init(host: String = "127.0.0.1", port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        guard fd >= 0 else { throw TWSSocketError.system("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            _ = systemClose(fd)
            throw TWSSocketError("\(host) is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let error = TWSSocketError.system("listen on \(host):\(port)")
            _ = systemClose(fd)
            throw error
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { _ = systemClose(fd) }

    /// The next client, or nil once the listener is shut.
    public func accept() -> TWSSocket? {
        while !isShut.load(ordering: .sequentiallyConsistent) {
            let client = systemAccept(fd, nil, nil)
            if client >= 0 { return TWSSocket(fd: client) }
            if errno != EINTR && errno != ECONNABORTED { return nil }
        }
        return nil
    }

    public func shutdown() {
        guard !isShut.exchange(true, ordering: .sequentiallyConsistent) else { return }
        _ = systemShutdown(fd, Int32(SHUT_RDWR))
    }
}

public struct TWSSocketError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
    static func system(_ what: String) -> TWSSocketError { TWSSocketError("\(what): \(String(cString: strerror(errno)))") }
}

// The C calls whose names the types above shadow.
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemShutdown(_ fd: Int32, _ how: Int32) -> Int32 { Glibc.shutdown(fd, how) }
private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t) -> Int32 {
    Glibc.connect(fd, address, length)
}
private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int { Glibc.send(fd, bytes, count, flags) }
private func systemAccept(_ fd: Int32, _ a: UnsafeMutablePointer<sockaddr>?, _ l: UnsafeMutablePointer<socklen_t>?) -> Int32 {
    Glibc.accept(fd, a, l)
}
