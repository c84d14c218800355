import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The server could not listen on its address: the address, the system's reason and its errno name, as one line.
public struct ListenError: Error, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let errnoCode: Int32

    /// The error of binding `host:port`, if `error` is one (NIO reports it as an `IOError` of `bind`).
    init?(_ error: any Error, host: String, port: Int) {
        guard let error = error as? IOError, String(describing: error).hasPrefix("bind") else { return nil }
        (self.host, self.port, errnoCode) = (host, port, error.errnoCode)
    }

    public var description: String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return switch errnoCode {
        case EADDRINUSE: "\(address) is in use (EADDRINUSE): another process listens there; choose another port (0 picks a free one)"
        case EACCES: "cannot listen on \(address): permission denied (EACCES); ports below 1024 need privileges"
        case EADDRNOTAVAIL: "cannot listen on \(address): no interface of this machine has that address (EADDRNOTAVAIL)"
        default: "cannot listen on \(address): \(String(cString: strerror(errnoCode))) (errno \(errnoCode))"
        }
    }
}
