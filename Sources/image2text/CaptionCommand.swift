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
            INPUT may be a directory (its images and videos, recursively), a glob pattern, a WebDataset .tar shard \
            or - (an image on standard input). --output FILE appends the JSON lines to FILE and skips inputs it \
            already holds (resumable; --output - prints them); --shard I/N takes every N-th input from the I-th \
            (0 ≤ I < N). For WebDataset shards, \
            --output-dir DIR instead writes each shard's lines to DIR/SHARD.jsonl (resumable per file), and --shard \
            I/N then takes every N-th shard, so that each part writes whole files of its own.

            Examples:
              image2text caption Fixtures/easyvqa/0.png
              image2text caption --num-beams 3 --json Fixtures/easyvqa/0.png
              image2text caption --batch-size 8 -o captions.jsonl Fixtures/easyvqa
              cat Fixtures/easyvqa/5.png | image2text caption -
              tar -cf shard-0.tar -C Fixtures/easyvqa 0.png 5.png
              tar -cf shard-1.tar -C Fixtures/easyvqa 10.png 15.png
              image2text caption --output-dir captions --shard 1/2 'shard-*.tar'
            """)

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "Generation Options") var generationFlags: GenerationFlags

    @OptionGroup var outputFlags: OutputFlags

    @OptionGroup(title: "Input Options") var inputOptions: InputOptions

    @OptionGroup(title: "Dataset Options") var datasetOptions: DatasetOptions

    @Argument(help: ArgumentHelp("Image or video files, directories, glob patterns, .tar shards, or - for standard input.", valueName: "INPUT"))
    var images: [String]

    func validate() throws {
        try DatasetRun.validate(dataset: datasetOptions, input: inputOptions, stream: outputFlags.stream)
    }

    func run() async throws {
        try await DatasetRun(modelOptions: modelOptions, dataset: datasetOptions, input: inputOptions, json: outputFlags.json,
                             stream: outputFlags.stream)
            .run(images, task: .generate(question: nil)) { try generationFlags.options(tokenizer: $0.tokenizer) }
    }
}
