/// What a model looks at: one image, or the frames of one video (sampled from a video file, or images given as
/// frames). ``VisualReader`` makes one from what a user gave.
public enum VisualInput: Sendable {
    case image(RGBImage)
    case frames([RGBImage])
}
