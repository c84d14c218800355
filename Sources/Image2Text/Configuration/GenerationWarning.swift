/// An option that has no effect as given, which transformers 5.23 warns about and then generates anyway
/// (docs/generation.md, "Warnings"): a sampling option without `do_sample`, a beam-search option with one beam, or a
/// minimum length past the maximum. Front ends show them (the CLI on standard error, the server in the response's
/// `warnings`); generation is unchanged.
public struct GenerationWarning: Sendable, Equatable, CustomStringConvertible {
    /// The option without effect, by transformers' name.
    public let option: String
    /// Why, and what to change.
    public let message: String

    public var description: String { "\(option): \(message)" }

    /// The warnings of `given` (the front end's options), resolved over the checkpoint's generation config as
    /// `resolved`, for a prompt whose length limits are `limits`.
    static func warnings(given: GenerationOptions, resolved: GenerationOptions, limits: LengthLimits) -> [GenerationWarning] {
        modeWarnings(given: given, resolved: resolved) + [lengthWarning(resolved, limits: limits)].compactMap { $0 }
    }

    /// transformers' `GenerationConfig.validate`: an option of one decoding mode set, to other than its default, when
    /// that mode is off. As there, an option the checkpoint sets is not warned about when the front end set the mode
    /// option itself (`do_sample` false asks for greedy decoding whatever the checkpoint's temperature).
    private static func modeWarnings(given: GenerationOptions, resolved: GenerationOptions) -> [GenerationWarning] {
        let sampling = resolved.doSample == true, beamSearch = (resolved.numBeams ?? 1) > 1
        // Each option with its value when not transformers' default.
        let modeOptions: [(name: String, mode: String, active: Bool, value: String?)] = [
            ("temperature", "do_sample", sampling, resolved.temperature.flatMap { $0 == 1 ? nil : "\($0)" }),
            ("top_p", "do_sample", sampling, resolved.topP.flatMap { $0 == 1 ? nil : "\($0)" }),
            ("top_k", "do_sample", sampling, resolved.topK.flatMap { $0 == 50 ? nil : "\($0)" }),
            ("early_stopping", "num_beams", beamSearch, resolved.earlyStopping.flatMap { $0 == .heuristic ? nil : $0.rawValue }),
            ("length_penalty", "num_beams", beamSearch, resolved.lengthPenalty.flatMap { $0 == 1 ? nil : "\($0)" }),
        ]
        func isGiven(_ name: String) -> Bool { GenerationOption.named(name)!.isSet(in: given) }
        return modeOptions.compactMap { option in
            guard !option.active, let value = option.value, !isGiven(option.mode) || isGiven(option.name) else { return nil }
            let message = option.mode == "do_sample"
                ? "\(value) has no effect without do_sample: it is used only when sampling; set do_sample or leave out \(option.name)"
                : "\(value) has no effect with num_beams \(resolved.numBeams ?? 1): it is used only by beam search; "
                    + "set num_beams above 1 or leave out \(option.name)"
            return GenerationWarning(option: option.name, message: message)
        }
    }

    /// transformers' "Unfeasible length constraints": a minimum length past the maximum, so that the sequence stops
    /// at the maximum without reaching it.
    private static func lengthWarning(_ resolved: GenerationOptions, limits: LengthLimits) -> GenerationWarning? {
        guard limits.minLength > limits.maxLength else { return nil }
        let maximum = resolved.maxNewTokens == nil && resolved.maxLength == nil
            ? "\(limits.maxLength) tokens (no max_new_tokens or max_length is set: the default, within the model's position table)"
            : "\(limits.maxLength) tokens"
        let tail = "; generation stops at the maximum: lower the minimum or raise max_new_tokens"
        if let minNewTokens = resolved.minNewTokens {
            return GenerationWarning(option: "min_new_tokens", message: "\(minNewTokens) new tokens after the "
                + "\(limits.promptLength)-token prompt make \(limits.minLength), more than the longest sequence, \(maximum)" + tail)
        }
        return GenerationWarning(option: "min_length", message: "\(limits.minLength) is more than the longest sequence, \(maximum)" + tail)
    }
}
