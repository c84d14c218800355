import Foundation
import Image2TextTestSupport
import Testing
@testable import Image2Text

/// The task layer the CLI and the server share: a result per input, a failure classified once.
@Suite struct TaskRunnerTests {
    static let model = TinyModelGenerationTests.model

    static func item(_ name: String, _ task: TaskItem.Task = .generate(question: nil)) -> TaskItem {
        TaskItem(name: name, task: task) { try VisualReader().read(.file(Fixtures.image(name)), for: model) }
    }

    static func bytes(_ data: Data, named name: String) -> TaskItem {
        TaskItem(name: name, task: .generate(question: nil)) { try VisualReader().read(.bytes(data, name: name), for: model) }
    }

    @Test("one unreadable input fails alone; the others get what they get one by one, timed as one batch")
    func oneFailureDoesNotSinkTheBatch() throws {
        let easyvqa = ["0.png", "5.png"].map { Repository.fixture("easyvqa/\($0)") }
        let items = [
            TaskItem(name: "0.png", task: .generate(question: nil)) { try VisualReader().read(.file(easyvqa[0]), for: Self.model) },
            Self.bytes(Data("not an image".utf8), named: "upload"),
            TaskItem(name: "5.png", task: .generate(question: "what shape is in the image?")) {
                try VisualReader().read(.file(easyvqa[1]), for: Self.model)
            },
        ]
        let results = TaskRunner(model: Self.model).run(items, options: GenerationOptions())
        #expect(results.count == 3)
        let first = try results[0].get()
        #expect(first.input == "0.png" && first.best?.text == "a red triangle" && first.best?.answer == nil)
        #expect(first.timings.batchSize == 2 && first.timings.queueSeconds == nil)
        guard case .failure(let failure) = results[1] else { throw TaskFailure(fault: .server, code: "", message: "no failure") }
        #expect(failure.fault == .input && failure.code == "unreadable_image" && failure.message.hasPrefix("upload: "))
        let answer = try results[2].get()
        let alone = try Self.model.answer("what shape is in the image?", about: ImageDecoder.decode(contentsOf: easyvqa[1]))
        #expect(answer.best?.answer == alone.generatedText && answer.best?.ids == alone.ids)
    }

    @Test("an option transformers refuses is the request's fault for every input")
    func requestFault() {
        let items = [Self.item("chelsea.png"), Self.item("chelsea.png")]
        let results = TaskRunner(model: Self.model).run(items, options: GenerationOptions(numReturnSequences: 2))
        for result in results {
            guard case .failure(let failure) = result else { Issue.record("\(result)"); continue }
            #expect(failure.fault == .request && failure.code == "invalid_request" && failure.message.hasPrefix("num_return_sequences: "))
        }
    }

    @Test("classification scores each item; the result has the ranking and round-trips through JSON")
    func classification() throws {
        let item = TaskItem(name: "0.png", task: .classify(labels: ["circle", "triangle"], question: "what shape is in the image?")) {
            try VisualReader().read(.file(Repository.fixture("easyvqa/0.png")), for: Self.model)
        }
        let result = try TaskRunner(model: Self.model).run([item], options: GenerationOptions())[0].get()
        guard case .classification(let ranking) = result.output else { throw TaskFailure(fault: .server, code: "", message: "not ranked") }
        #expect(ranking.map(\.label) == ["triangle", "circle"])
        #expect(try JSONDecoder().decode(TaskResult.self, from: result.json()) == result)
    }

    @Test("errors are classified once: the input's, the request's, or the server's")
    func errorsClassifiedOnce() {
        #expect(TaskFailure(ImageError.tooManyPixels(source: "a", width: 2, height: 2, limit: 1)).code == "too_many_pixels")
        #expect(TaskFailure(GenerationError.notAVideoModel).fault == .input)
        #expect(TaskFailure(GenerationError.exceedsPositionTable(maxLength: 9, promptLength: 1, positionLimit: 8)).fault == .input)
        #expect(TaskFailure(GenerationError.emptyQuestion).fault == .request)
        #expect(TaskFailure(CocoaError(.fileReadUnknown)).fault == .server)
    }
}
