import ArgumentParser
import Foundation
import Image2Text

/// `image2text caption IMAGE...`: captions as transformers 5.23's `generate(pixel_values, **options)` gives them.
struct CaptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caption",
        abstract: "Caption images.",
        discussion: """
            Loads the model once, then captions each image (JPEG, PNG, WebP, GIF, BMP, TIFF) or video (any file \
            FFmpeg reads, told apart by content; a video needs a video checkpoint such as git-base-vatex) from [CLS], greedily \
            unless the generation options ask for beam search or sampling; --batch-size N decodes N inputs together \
            (same results). Prints the \
            caption alone for one image, "IMAGE: caption" per line for several (one line per returned sequence), or \
            with --json one object per line, keys sorted: {"finish_reason": "eos" or "length", "ids": [...], \
            "input": IMAGE, "prompt_ids": [...], "score": S, "text": caption} plus "sequences" with several return \
            sequences, and "timings" (the server's response body, the same type). An image that cannot be read or captioned \
            prints "Error: IMAGE: problem" on stderr and the others still run; the exit status is then 1. \
            In "IMAGE: caption" lines and error messages a name is printed on one line: a backslash as \\\\, \
            newline, tab and carriage return as \\n, \\t and \\r, other control bytes and bytes that are not \
            UTF-8 as \\xHH (printf '%b' turns them back); in JSON, "input" is the name itself (escaped the same \
            way only when it is not UTF-8). \
            INPUT may be a directory (its images, videos and WebDataset shards, recursively), a glob pattern, a brace \
            range ('shards/{00000..00127}.tar'), a WebDataset .tar or .tar.gz shard (each sample an input) or - (an image \
            on standard input); --files-from LIST adds one path per line. --output FILE appends one record per input to \
            FILE, keyed by its path below the inputs' folder (a sample by SHARD#__key__), failures included \
            ("status": "error"), and skips inputs it already holds however the paths are spelled (resumable; --output - \
            prints them; --format csv or tsv); FILE.run.json records the options that shape the results and a resumed \
            run with others is refused; FILE.stats.json marks it complete. --shard I/N takes the inputs whose key hashes \
            to part I of N (0 ≤ I < N); --shard auto reads Slurm, Kubernetes or torchrun variables. --output-dir DIR \
            instead writes each shard's records to DIR/SHARD.jsonl, and --shard then takes whole shards. Output schema, \
            resuming and sharding: docs/datasets.md.

            Examples:
              image2text caption Fixtures/easyvqa/0.png
              image2text caption --num-beams 3 --json Fixtures/easyvqa/0.png
              image2text caption --batch-size 8 -o captions.jsonl Fixtures/easyvqa
              cat Fixtures/easyvqa/5.png | image2text caption -
              tar -cf shard-0.tar -C Fixtures/easyvqa 0.png 5.png
              tar -cf shard-1.tar -C Fixtures/easyvqa 10.png 15.png
              image2text caption --output-dir captions --shard 1/2 'shard-*.tar'
              SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=2 image2text caption --shard auto -o part-0.jsonl 'shard-{0..1}.tar'
            """)

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "Generation Options") var generationFlags: GenerationFlags

    @OptionGroup var outputFlags: OutputFlags

    @OptionGroup(title: "Input Options") var inputOptions: InputOptions

    @OptionGroup(title: "Dataset Options") var datasetOptions: DatasetOptions

    @Argument(help: ArgumentHelp("Image or video files, directories, glob patterns, brace expressions, .tar or .tar.gz shards, or - for standard input.", valueName: "INPUT"))
    var images: [String] = []

    func validate() throws {
        try DatasetRun.validate(dataset: datasetOptions, input: inputOptions, stream: outputFlags.stream, arguments: images)
    }

    func run() async throws {
        let task = DatasetRun.Task(kind: .caption) { _ in .generate(question: nil) }
        try await DatasetRun(modelOptions: modelOptions, dataset: datasetOptions, input: inputOptions, json: outputFlags.json,
                             stream: outputFlags.stream)
            .run(images, task: task, questions: .none) { try generationFlags.options(tokenizer: $0.tokenizer) }
    }
}
