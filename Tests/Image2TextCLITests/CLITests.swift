import Foundation
import Image2TextTestSupport
import Testing

/// Runs the built `image2text` binary and checks its whole stdout and exit code (ArgumentParser's
/// AssertExecuteCommand style). The binary sits next to the test bundle in the build folder. It runs with
/// `IMAGE2TEXT_MODEL=demo` unless a test says otherwise (an empty value counts as unset), so that no test reaches for
/// the hub's default model by accident.
@Suite struct CLITests {
    static let binary = Bundle.main.bundleURL.appendingPathComponent("image2text")

    struct Result { let status: Int32; let stdout: String; let stderr: String }

    /// The binary's environment: this process's, with `IMAGE2TEXT_MODEL=demo`.
    static let environment = ProcessInfo.processInfo.environment.merging(["IMAGE2TEXT_MODEL": "demo"]) { $1 }

    /// Runs `executable` (the built binary unless given) with `arguments`, in the repository's root folder.
    func run(_ arguments: [String], environment: [String: String] = [:], standardInput: Data? = nil,
             executable: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable.map(URL.init(fileURLWithPath:)) ?? Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = Repository.root
        process.environment = Self.environment.merging(environment) { $1 }
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        if standardInput != nil { process.standardInput = input }
        try process.run()
        if let standardInput {
            input.fileHandleForWriting.write(standardInput)
            try input.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    let vocabulary = "Fixtures/vocab/bert-base-uncased-vocab.txt"

    @Test func tokenizePrintsIds() throws {
        let result = try run(["tokenize", "--vocab", vocabulary, "What is in the image?"])
        #expect(result.status == 0)
        #expect(result.stdout == "101 2054 2003 1999 1996 3746 1029 102\n")
    }

    @Test func tokenizeJSON() throws {
        let result = try run(["tokenize", "--json", "--vocab", vocabulary, "Héllo wörld!"])
        #expect(result.status == 0)
        #expect(result.stdout == #"{"ids":[101,7592,2088,999,102],"tokens":["[CLS]","hello","world","!","[SEP]"]}"# + "\n")
    }

    @Test func detokenize() throws {
        let plain = try run(["detokenize", "--vocab", vocabulary, "101", "1037", "2158", "1005", "1055", "3797", "1012", "102"])
        #expect(plain.status == 0 && plain.stdout == "[CLS] a man ' s shirt. [SEP]\n")
        let skipped = try run(["detokenize", "--skip-special-tokens", "--vocab", vocabulary, "101", "7592", "100", "2088", "102"])
        #expect(skipped.stdout == "hello world\n")
    }

    @Test("preprocess writes a .npy whose pixel values are transformers' (sha256 from the preprocess golden)")
    func preprocess() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString).npy")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try run(["preprocess", "Fixtures/images/chelsea.png", "--model", "Fixtures/prng-checkpoint",
                              "--output", output.path])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("shape [3, 224, 224] sha256 59ba65f37c29915984addd8e4d8856f9c1579c284af0ef0260bc4f25eadbbab9"))
        let npy = try Data(contentsOf: output)
        #expect(npy.count > 3 * 224 * 224 * 4 && npy.prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
    }

    @Test("--image-size N: pixel values resized and cropped to N (transformers' at 480), the model runs at N, N < 1 is a usage error")
    func imageSize() throws {
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: Repository.root.appendingPathComponent(
            "Fixtures/goldens/prng_resolution_model.json"))) as? [String: Any]
        let rocket = try #require((golden?["cases"] as? [[String: Any]])?.first { $0["image"] as? String == "Fixtures/images/rocket.jpg" })
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString).npy")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try run(["preprocess", "Fixtures/images/rocket.jpg", "--model", "Fixtures/prng-checkpoint",
                              "--image-size", "480", "--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("shape [3, 480, 480] sha256 \(try #require(rocket["pixel_values_sha256"] as? String))"))

        let larger = try run(["caption", "--image-size", "96", "Fixtures/easyvqa/5.png"])  // demo model: 64 px
        #expect(larger.status == 0 && larger.stderr.isEmpty && !larger.stdout.isEmpty, "\(larger.stderr)")
        #expect(try run(["caption", "--image-size", "0", "Fixtures/easyvqa/5.png"]).status == 64)
        #expect(try run(["bench", "--image-size", "96"]).status == 64)
        #expect(try run(["caption", "--help"]).stdout.contains("interpolate_pos_encoding=True"))
    }

    @Test("inspect the bundled demo model, and without --model the demo model is the default")
    func inspect() throws {
        let result = try run(["inspect", "Models/git-tiny-easyvqa"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("weights: safetensors (1 file), dtype F32"))
        #expect(result.stdout.contains("  output.weight"))
        let json = try run(["inspect", "--json", "Models/git-tiny-easyvqa"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["tensors"] as? [Any])?.isEmpty == false)
        let byDefault = try run(["tokenize", "a blue circle"], environment: ["IMAGE2TEXT_MODEL": "Models/git-tiny-easyvqa"])
        #expect(byDefault.status == 0 && !byDefault.stdout.isEmpty)
    }

    @Test("bad input: one line naming the file on stderr, non-zero exit", arguments: [
        ["preprocess", "Fixtures/images/bad/truncated.jpg", "--model", "Fixtures/prng-checkpoint", "--output", "/tmp/never.npy"],
        ["preprocess", "Fixtures/images/bad/text.jpg", "--model", "Fixtures/prng-checkpoint", "--output", "/tmp/never.npy"],
        ["inspect", "Fixtures/nonexistent-model"],
        ["inspect", "Fixtures/prng-checkpoint"],
        ["tokenize", "--vocab", "Fixtures/nonexistent-vocab.txt", "hello"],
        ["detokenize", "--vocab", "Fixtures/vocab/bert-base-uncased-vocab.txt", "99999"],
    ])
    func badInput(arguments: [String]) throws {
        let result = try run(arguments)
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    // MARK: caption and ask

    /// `Fixtures/goldens/tiny_easyvqa.json`: the demo model's greedy captions and answers from transformers 5.23.
    struct Golden: Decodable {
        struct Case: Decodable {
            let image: String
            let question: String?
            let question_template: String?
            let prompt_ids: [Int]
            let generated_ids: [Int]
            let text: String
            let answer_text: String
        }
        struct Generate: Decodable { let max_new_tokens: Int }
        let generate: Generate
        let captions: [Case]
        let questions: [Case]
    }

    static let golden: Golden = try! JSONDecoder().decode(
        Golden.self, from: Data(contentsOf: Repository.root.appendingPathComponent("Fixtures/goldens/tiny_easyvqa.json")))

    /// The JSON lines of `stdout`, each checked to be one compact object with these keys, sorted (as the server's).
    func jsonLines(_ stdout: String, keys: [String]) throws -> [[String: Any]] {
        try stdout.split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(object.keys) == Set(keys), "\(line)")
            let positions = keys.sorted().compactMap { line.range(of: "\"\($0)\":")?.lowerBound }
            #expect(positions.count == keys.count && positions == positions.sorted(), "key order: \(line)")
            #expect(!line.contains("\": "), "not compact: \(line)")
            return object
        }
    }

    @Test("caption the bundled image with the bundled model: the README's main command")
    func captionDemoImage() throws {
        let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("&& .build/release/image2text caption --model demo Fixtures/easyvqa/0.png\n"))
        let result = try run(["caption", "--model", "demo", "Fixtures/easyvqa/0.png"], environment: ["IMAGE2TEXT_MODEL": ""])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.stdout == "a red triangle\n")
        let explicit = try run(["caption", "--model", "Models/git-tiny-easyvqa", "--max-new-tokens", "10", "Fixtures/easyvqa/0.png"])
        #expect(explicit.status == 0 && explicit.stdout == "a red triangle\n")
        let fromEnvironment = try run(["caption", "Fixtures/easyvqa/0.png"], environment: ["IMAGE2TEXT_MODEL": "Models/git-tiny-easyvqa"])
        #expect(fromEnvironment.stdout == "a red triangle\n")
    }

    @Test("caption --json of every golden image in one run: ids, prompt ids and text as transformers gives them")
    func captionJSONMatchesGolden() throws {
        let golden = Self.golden
        #expect(golden.captions.count == 200)
        let paths = golden.captions.map { "Fixtures/easyvqa/" + $0.image }
        let result = try run(["caption", "--json", "--max-new-tokens", "\(golden.generate.max_new_tokens)"] + paths)
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let lines = try jsonLines(result.stdout, keys: ["input", "text", "ids", "prompt_ids", "score", "finish_reason", "timings"])
        try #require(lines.count == golden.captions.count)
        for (line, item) in zip(lines, golden.captions) {
            #expect(line["input"] as? String == "Fixtures/easyvqa/" + item.image)
            #expect(line["ids"] as? [Int] == item.generated_ids, "\(item.image)")
            #expect(line["prompt_ids"] as? [Int] == item.prompt_ids, "\(item.image)")
            #expect(line["text"] as? String == item.text, "\(item.image)")
        }
        #expect(result.stdout.hasPrefix(#"{"finish_reason":"eos","ids":[2,6,24,29,3],"input":"Fixtures/easyvqa/0.png","prompt_ids":[2],"score":"#))
    }

    @Test("ask: the answer alone, and --json with the golden's ids, prompt ids, text and answer (one question per template)")
    func askMatchesGolden() throws {
        let plain = try run(["ask", "Fixtures/easyvqa/0.png", "does the image contain a green shape?"])
        #expect(plain.status == 0 && plain.stderr.isEmpty, "\(plain.stderr)")
        #expect(plain.stdout == "no\n")
        var templates = Set<String>()
        let cases = Self.golden.questions.filter { templates.insert($0.question_template ?? "").inserted }
        #expect(cases.count >= 20)
        for item in cases {
            let question = try #require(item.question)
            let result = try run(["ask", "--json", "--max-new-tokens", "\(Self.golden.generate.max_new_tokens)",
                                  "Fixtures/easyvqa/" + item.image, question])
            #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
            let lines = try jsonLines(result.stdout, keys: ["input", "text", "ids", "prompt_ids", "answer", "score", "finish_reason", "timings"])
            let line = try #require(lines.count == 1 ? lines[0] : nil, "\(result.stdout)")
            #expect(line["input"] as? String == "Fixtures/easyvqa/" + item.image)
            #expect(line["ids"] as? [Int] == item.generated_ids, "\(item.image) \(question)")
            #expect(line["prompt_ids"] as? [Int] == item.prompt_ids, "\(item.image) \(question)")
            #expect(line["text"] as? String == item.text, "\(item.image) \(question)")
            #expect(line["answer"] as? String == item.answer_text, "\(item.image) \(question)")
        }
    }

    @Test("several images, broken ones among them: the good ones are captioned in order, one error line per bad file, exit 1")
    func captionSeveralWithBrokenFiles() throws {
        let result = try run(["caption", "Fixtures/easyvqa/0.png", "Fixtures/images/bad/truncated.png", "Fixtures/easyvqa/5.png",
                              "Fixtures/images/bad/huge_100000x100000.png", "Fixtures/easyvqa/10.png"])
        #expect(result.status == 1)
        #expect(result.stdout == """
            Fixtures/easyvqa/0.png: a red triangle
            Fixtures/easyvqa/5.png: a brown rectangle
            Fixtures/easyvqa/10.png: a red circle

            """)
        let errors = result.stderr.split(separator: "\n")
        #expect(errors.count == 2, "\(result.stderr)")
        #expect(errors.first?.hasPrefix("Error: Fixtures/images/bad/truncated.png: truncated PNG data") == true, "\(result.stderr)")
        #expect(errors.last?.hasPrefix("Error: Fixtures/images/bad/huge_100000x100000.png: 100000×100000") == true, "\(result.stderr)")

        let json = try run(["caption", "--json", "Fixtures/images/bad/text.jpg", "Fixtures/easyvqa/0.png"])
        #expect(json.status == 1)
        #expect(try jsonLines(json.stdout, keys: ["input", "text", "ids", "prompt_ids", "score", "finish_reason", "timings"]).map { $0["text"] as? String } == ["a red triangle"])
        #expect(json.stderr == "Error: Fixtures/images/bad/text.jpg: not a JPEG, PNG, GIF, WebP, BMP or TIFF image (it starts with 54 68 69 73 20 69 73 20)\n", "\(json.stderr)")
    }

    static let longQuestion = Array(repeating: "is there a red circle in the image", count: 5).joined(separator: " ")

    @Test("caption and ask, bad input: exit 1, nothing on stdout, one stderr line naming the problem", arguments: [
        (["ask", "Fixtures/easyvqa/0.png", ""], "Error: question: the question is empty"),
        (["ask", "Fixtures/easyvqa/0.png", "  "], "Error: question: the question is empty"),
        (["ask", "Fixtures/easyvqa/0.png", longQuestion], "Error: question: the prompt has 41 tokens"),
        (["ask", "Fixtures/images/bad/truncated.jpg", "what color is the shape?"], "Error: Fixtures/images/bad/truncated.jpg: truncated JPEG"),
        (["ask", "Fixtures/nonexistent.png", "what color is the shape?"], "Error: Fixtures/nonexistent.png: file not found"),
        (["ask", "--max-new-tokens", "0", "Fixtures/easyvqa/0.png", "what color is the shape?"], "Error: max_new_tokens:"),
        (["caption", "--max-new-tokens", "0", "Fixtures/easyvqa/0.png", "Fixtures/easyvqa/5.png"], "Error: max_new_tokens: must be at least 1, got 0"),
        (["caption", "--min-new-tokens", "40", "--max-new-tokens", "40", "Fixtures/easyvqa/0.png"],
         "Error: Fixtures/easyvqa/0.png: max_new_tokens:"),
        (["caption", "--max-length", "1", "Fixtures/easyvqa/0.png"], "Error: max_length:"),
        (["caption", "--min-new-tokens=-1", "Fixtures/easyvqa/0.png"], "Error: min_new_tokens: must not be negative"),
        (["caption", "Fixtures/images/bad/empty.jpg"], "Error: Fixtures/images/bad/empty.jpg: the file is empty"),
        (["caption", "--model", "Fixtures/nonexistent-model", "Fixtures/easyvqa/0.png"], "Fixtures/nonexistent-model: file not found"),
        (["caption", "--num-beams", "0", "Fixtures/easyvqa/0.png"], "Error: num_beams: must be 1 to 256, got 0"),
        (["caption", "--do-sample", "--top-p", "1.5", "Fixtures/easyvqa/0.png"], "Error: top_p: must be in (0, 1]"),
        (["caption", "--num-return-sequences", "2", "Fixtures/easyvqa/0.png"], "Error: num_return_sequences:"),
        (["caption", "--bad-words", " ", "Fixtures/easyvqa/0.png"], "Error: bad_words_ids:"),
        (["caption", "--stream", "--num-beams", "2", "Fixtures/easyvqa/0.png"], "Error: num_beams: streaming decodes one sequence"),
        (["classify", "--labels", "", "Fixtures/easyvqa/0.png"], "Error: labels: the label \"\" has no tokens"),
        (["classify", "--labels-file", "Fixtures/nonexistent.txt", "Fixtures/easyvqa/0.png"], "Error: Fixtures/nonexistent.txt: file not found"),
        (["classify", "--labels", "circle", "--question", "", "Fixtures/easyvqa/0.png"], "Error: question: the question is empty"),
    ])
    func generationBadInput(arguments: [String], message: String) throws {
        let result = try run(arguments)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("Error: ") == true && lines.first?.contains(message) == true, "\(result.stderr)")
    }

    @Test("a checkpoint folder missing a file: one line naming the file, exit 1, nothing captioned", arguments: [
        (["config.json"], "config.json: file not found"),
        (["model.safetensors"], "no model.safetensors"),
        (["preprocessor_config.json"], "preprocessor_config.json: file not found"),
        (["vocab.txt", "tokenizer.json"], "no tokenizer found (expected tokenizer.json or vocab.txt)"),
    ])
    func checkpointMissingFile(removed: [String], message: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-model-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("Models/git-tiny-easyvqa"), to: folder)
        for name in removed { try FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        for arguments in [["caption", "--model", folder.path, "Fixtures/easyvqa/0.png", "Fixtures/easyvqa/5.png"],
                          ["ask", "--model", folder.path, "Fixtures/easyvqa/0.png", "what color is the shape?"]] {
            let result = try run(arguments)
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(result.stderr)")
            #expect(lines.first?.hasPrefix("Error: \(folder.path)") == true && lines.first?.contains(message) == true, "\(result.stderr)")
        }
    }

    @Test("a checkpoint folder with tokenizer.json but no vocab.txt still loads (tokenizer.json wins, as in transformers)")
    func checkpointWithoutVocabText() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-model-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("Models/git-tiny-easyvqa"), to: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("vocab.txt"))
        let result = try run(["caption", "--model", folder.path, "Fixtures/easyvqa/0.png"])
        #expect(result.status == 0 && result.stdout == "a red triangle\n", "\(result.stderr)")
    }

    @Test("usage errors exit 64", arguments: [
        ["caption"],
        ["ask", "Fixtures/easyvqa/0.png"],
        ["caption", "--max-new-tokens", "many", "Fixtures/easyvqa/0.png"],
        ["caption", "--early-stopping", "sometimes", "Fixtures/easyvqa/0.png"],
        ["caption", "--json", "--stream", "Fixtures/easyvqa/0.png"],
        ["classify", "Fixtures/easyvqa/0.png"],
        ["classify", "--labels", "a", "--labels-file", "labels.txt", "Fixtures/easyvqa/0.png"],
    ])
    func generationUsageErrors(arguments: [String]) throws {
        let result = try run(arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    // MARK: Generation options, streaming, classification

    @Test("beam search with several return sequences: --json lists them under \"sequences\", as transformers returns them")
    func captionBeamSequences() throws {
        let result = try run(["caption", "--json", "--num-beams", "3", "--num-return-sequences", "2", "--max-new-tokens", "6",
                              "Fixtures/easyvqa/0.png", "Fixtures/easyvqa/5.png"])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let lines = try jsonLines(result.stdout, keys: ["input", "text", "ids", "prompt_ids", "score", "finish_reason", "sequences", "timings"])
        // tiny_generation_suite.json, batch case 2 (beam 3, two sequences, 6 new tokens).
        #expect(lines.map { ($0["sequences"] as? [[String: Any]])?.map { $0["ids"] as? [Int] } }
                    == [[[2, 6, 24, 29, 3], [2, 6, 24, 10, 3]], [[2, 6, 9, 23, 3], [2, 6, 9, 10, 3]]])
        #expect(lines.map { $0["ids"] as? [Int] } == [[2, 6, 24, 29, 3], [2, 6, 9, 23, 3]])
        let text = try run(["caption", "--num-beams", "3", "--num-return-sequences", "2", "Fixtures/easyvqa/0.png"])
        #expect(text.stdout == "a red triangle\na red circle\n")
    }

    @Test("--paper, --batch-size and sampling flags")
    func generationFlags() throws {
        let paper = try run(["caption", "--paper", "--json", "Fixtures/easyvqa/0.png"])
        #expect(try jsonLines(paper.stdout, keys: ["input", "text", "ids", "prompt_ids", "score", "finish_reason", "timings"]).first?["ids"] as? [Int] == [2, 6, 24, 29, 3])
        let images = ["Fixtures/easyvqa/0.png", "Fixtures/easyvqa/5.png", "Fixtures/easyvqa/10.png"]
        #expect(try run(["caption", "--batch-size", "2"] + images).stdout == run(["caption"] + images).stdout)
        let sampled = ["caption", "--do-sample", "--seed", "9", "--temperature", "2.5", "--top-k", "5", "--num-return-sequences", "4"] + images
        let first = try run(sampled), second = try run(sampled)
        #expect(first.status == 0 && first.stdout == second.stdout && first.stdout.split(separator: "\n").count == 12, "\(first.stderr)")
    }

    @Test("--stream prints the same text as without it")
    func stream() throws {
        for arguments in [["caption", "Fixtures/easyvqa/5.png", "Fixtures/easyvqa/10.png"], ["ask", "Fixtures/easyvqa/5.png", "what shape is in the image?"]] {
            let streamed = try run(arguments + ["--stream"])
            let plain = try run(arguments)
            #expect(streamed.status == 0 && streamed.stdout == plain.stdout, "\(streamed.stderr)")
        }
    }

    @Test("classify: the best label, --json with every label's score, labels from a file")
    func classify() throws {
        let question = "what shape is in the image?"
        let text = try run(["classify", "--question", question, "--labels", "circle, rectangle,triangle", "Fixtures/easyvqa/0.png"])
        #expect(text.status == 0 && text.stdout == "triangle\n", "\(text.stderr)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("image2text-labels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("labels.txt")
        try "circle\n\nrectangle\ntriangle\n".write(to: file, atomically: true, encoding: .utf8)
        let json = try run(["classify", "--json", "--question", question, "--labels-file", file.path, "Fixtures/easyvqa/0.png", "Fixtures/easyvqa/5.png"])
        #expect(json.status == 0, "\(json.stderr)")
        let lines = try jsonLines(json.stdout, keys: ["input", "label", "ranking", "timings"])
        #expect(lines.map { $0["label"] as? String } == ["triangle", "rectangle"])
        let ranking = try #require(lines.first?["ranking"] as? [[String: Any]])
        #expect(ranking.map { $0["label"] as? String } == ["triangle", "circle", "rectangle"])
        // tiny_generation_suite.json: transformers' log-probabilities for 0.png.
        for (entry, reference) in zip(ranking, [-0.04358814046281623, -3.211709140719904, -6.729515903396532]) {
            #expect(abs((entry["log_probability"] as? Double ?? 0) - reference) < 1e-4)
        }
    }

    @Test("bench --json: every figure, the machine's limits and our fractions of them; --threads leaves captions unchanged")
    func bench() throws {
        let result = try run(["bench", "--json", "--repeats", "1", "--threads", "1", "--image", "Fixtures/easyvqa/0.png"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let figures = try #require(report["figures"] as? [String: [String: Any]])
        #expect(Set(figures.keys) == ["load", "preprocess", "vision", "decoder_prefill", "prefill", "decode_step", "caption20", "beam4", "batch8"])
        #expect(figures.values.allSatisfy { ($0["median"] as? Double ?? 0) > 0 })
        let limits = try #require(report["limits"] as? [String: Any])
        #expect((limits["bandwidth_gbps"] as? Double ?? 0) > 0 && (limits["reference_sgemm_gflops"] as? Double ?? 0) > 0)
        #expect((limits["blas_kernel_set"] as? String)?.isEmpty == false)
        for key in ["sgemm_gflops", "pooled_sgemm_gflops", "independent_sgemm_gflops"] {
            #expect((limits[key] as? [String: Double])?.count == 3, "\(key)")
        }
        let derived = try #require(report["derived"] as? [String: Any])
        for key in ["decode_floor_seconds", "vision_fraction_of_sgemm", "decoder_prefill_fraction_of_sgemm"] {
            #expect(derived[key] as? Double ?? 0 > 0, "\(key)")
        }
        #expect((limits["lm_head_ms"] as? [String: Double])?.keys.sorted() == ["ours_1", "ours_4", "ours_8", "sgemm_1", "sgemm_4", "sgemm_8", "sgemv_1"])
        #expect(report["dtype"] as? String == "f32")
        #expect(try run(["caption", "--threads", "1", "Fixtures/easyvqa/5.png"]).stdout == "a brown rectangle\n")
        #expect(try run(["caption", "--threads", "0", "Fixtures/easyvqa/5.png"]).status == 64)
    }

    @Test("--dtype at load and convert: the same captions from int8, f16 and bf16 weights; a bad type or output is refused")
    func weightTypes() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("image2text-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        for type in ["f16", "bf16", "int8"] {
            #expect(try run(["caption", "--dtype", type, "Fixtures/easyvqa/5.png"]).stdout == "a brown rectangle\n")
        }
        let converted = try run(["convert", "Models/git-tiny-easyvqa", "--dtype", "int8", "--output", output.path])
        #expect(converted.status == 0 && converted.stdout == "wrote \(output.path) (int8 weights)\n", "\(converted.stderr)")
        #expect(try run(["caption", "--model", output.path, "Fixtures/easyvqa/5.png"]).stdout == "a brown rectangle\n")
        let again = try run(["convert", "Models/git-tiny-easyvqa", "--dtype", "int8", "--output", output.path])
        #expect(again.status == 1 && again.stderr.contains("\(output.path): cannot write the converted checkpoint: the folder exists and is not empty"))
        #expect(try run(["caption", "--dtype", "int4", "Fixtures/easyvqa/5.png"]).status == 64)
    }
}
