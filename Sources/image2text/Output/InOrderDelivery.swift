import Foundation

/// Results of work finished out of order (batches captioned side by side, one per thread) handed on in order: each as
/// soon as every earlier one has been, so that the lines printed and written keep the inputs' order.
final class InOrderDelivery<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var waiting: [Int: Value] = [:]
    private var next = 0
    private var stopped = false
    private let deliver: (Int, Value) -> Bool

    /// `deliver(index, value)` runs under a lock, in index order; when it returns false nothing more is delivered.
    init(_ deliver: @escaping (Int, Value) -> Bool) {
        self.deliver = deliver
    }

    /// Whether a delivery returned false: work not yet started can be skipped.
    var isStopped: Bool { lock.withLock { stopped } }

    /// Hands on `value`, the result of work `index`, and whatever waited for it.
    func put(_ value: Value, at index: Int) {
        lock.withLock {
            waiting[index] = value
            while !stopped, let ready = waiting.removeValue(forKey: next) {
                stopped = !deliver(next, ready)
                next += 1
            }
        }
    }
}
