#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

/// A plain TCP connection to the server, for what an HTTP client library will not do: send half a body and stall,
/// or hang up in the middle of an upload.
final class RawConnection: @unchecked Sendable {
    private let socket: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socket >= 0 else { throw TestFailure("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("connect() failed") }
    }

    deinit { close() }

    func send(_ data: Data) throws {
        try data.withUnsafeBytes { buffer in
            var sent = 0
            while sent < buffer.count {
                let count = write(socket, buffer.baseAddress! + sent, buffer.count - sent)
                guard count > 0 else { throw TestFailure("write() failed") }
                sent += count
            }
        }
    }

    func send(_ text: String) throws { try send(Data(text.utf8)) }

    /// The server's response: its head and as much body as its Content-Length says, or what arrived before the
    /// server closed the connection or `seconds` passed. The blocking reads run on a thread of their own: the global
    /// dispatch queues share their threads with the cooperative pool, which the model suites keep busy.
    func receive(seconds: Double) async -> String {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.blockingReceive(seconds: seconds)) }.start()
        }
    }

    private func blockingReceive(seconds: Double) -> String {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: .init((seconds - seconds.rounded(.down)) * 1e6))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !Self.isComplete(received) {
            let count = read(socket, &buffer, buffer.count)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }

    private static func isComplete(_ response: Data) -> Bool {
        guard let headEnd = response.range(of: Data("\r\n\r\n".utf8)) else { return false }
        let head = String(decoding: response[..<headEnd.lowerBound], as: UTF8.self).lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return false }
        return response.count - headEnd.upperBound >= length
    }

    private var closed = false

    func close() {
        guard !closed else { return }
        closed = true
        #if canImport(Glibc)
        _ = Glibc.close(socket)
        #else
        _ = Darwin.close(socket)
        #endif
    }
}
