/// Why a task got no result, classified once for every front end: whose fault it is (the CLI's exit status and the
/// server's HTTP status come from it), a stable machine-readable code, and a message naming the file, field or limit.
public struct TaskFailure: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Fault: String, Sendable, Codable {
        /// This input cannot be read or run (an unreadable file, a video for an image model, a sequence that runs
        /// past the position table); another input of the same request may succeed.
        case input
        /// The request itself is wrong (an option out of range, an empty question); every input would fail alike.
        case request
        /// Something failed that neither the input nor the request explains.
        case server
    }

    public let fault: Fault
    public let code: String
    public let message: String

    public init(fault: Fault, code: String, message: String) {
        self.fault = fault
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The classification of `error`, as thrown by the library.
    public init(_ error: any Error) {
        let message = String(describing: error)
        switch error {
        case let failure as TaskFailure:
            self = failure
        case ImageError.tooManyPixels, VideoError.tooManyPixels:
            self.init(fault: .input, code: "too_many_pixels", message: message)
        case is ImageError:
            self.init(fault: .input, code: "unreadable_image", message: message)
        case is VideoError:
            self.init(fault: .input, code: "unreadable_video", message: message)
        case GenerationError.exceedsPositionTable:
            self.init(fault: .input, code: "exceeds_position_table", message: message)
        case GenerationError.notAVideoModel, GenerationError.frameCount, GenerationError.pixelValuesSmallerThanPatch,
             GenerationError.pixelValuesShape, GenerationError.foreignImageContext:
            self.init(fault: .input, code: "unsupported_input", message: message)
        case is GenerationError, is TokenizerError:
            self.init(fault: .request, code: "invalid_request", message: message)
        default:
            self.init(fault: .server, code: "internal_error", message: message)
        }
    }
}
