import CoreMetrics
import Metrics
import Prometheus

/// The server's metrics, recorded through swift-metrics into a Prometheus registry of this server's own (not the
/// process-wide `MetricsSystem`, so that several servers, as in the tests, keep separate counts), and rendered in
/// Prometheus' text format for `GET /metrics`.
final class ServerMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let inFlight: Meter
    private let queued: Meter
    private let batchSizes: Recorder
    private let queueWaits: Timer

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["image2text_batch_size"] = [1, 2, 4, 8, 16, 32, 64]
        let latencyBuckets: [Duration] = [.milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                          .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
                                          .seconds(10), .seconds(30), .seconds(60)]
        factory.defaultDurationHistogramBuckets = latencyBuckets
        self.factory = factory
        inFlight = Meter(label: "image2text_requests_in_flight", factory: factory)
        queued = Meter(label: "image2text_queue_depth", factory: factory)
        batchSizes = Recorder(label: "image2text_batch_size", aggregate: true, factory: factory)
        queueWaits = Timer(label: "image2text_queue_wait_seconds", factory: factory)
    }

    /// Counts a finished request by route and status, and records its duration.
    func request(endpoint: String, method: String, status: Int, duration: Duration) {
        let dimensions = [("endpoint", endpoint), ("method", method), ("status", String(status))]
        Counter(label: "image2text_requests_total", dimensions: dimensions, factory: factory).increment()
        Timer(label: "image2text_request_duration_seconds", dimensions: [("endpoint", endpoint)], factory: factory)
            .recordNanoseconds(Int64(duration.seconds * 1e9))
    }

    func batch(size: Int) { batchSizes.record(size) }
    func queueWait(_ seconds: Double) { queueWaits.recordNanoseconds(Int64(seconds * 1e9)) }

    /// Every metric in Prometheus' text exposition format. The two gauges are read from their sources of truth (the
    /// admission count and the queue) at each scrape rather than kept in step with them.
    func render(inFlight requests: Int, queueDepth: Int) -> [UInt8] {
        inFlight.set(requests)
        queued.set(queueDepth)
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
