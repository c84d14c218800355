/// The JSON of `GET /health`.
struct HealthResponse: Encodable {
    let status: String
    let model: String
    let queueDepth: Int
    let inFlight: Int

    enum CodingKeys: String, CodingKey {
        case status, model, queueDepth = "queue_depth", inFlight = "in_flight"
    }
}
