import NIOCore

extension TimeAmount {
    /// `duration`, within the ±292 years a time amount holds.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let limit = Int64.max / 1_000_000_000 - 1
        self = .nanoseconds(max(-limit, min(limit, seconds)) * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
