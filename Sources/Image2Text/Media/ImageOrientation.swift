/// Whether ``ImageDecoder`` turns an image upright from its EXIF Orientation tag.
public enum ImageOrientation: Sendable, Equatable {
    /// Keep the pixels as stored. transformers never reads EXIF orientation, so this is what the model saw in
    /// training and what the goldens hold; it is the default.
    case ignoreEXIF
    /// Apply the EXIF Orientation tag (0x0112) of a JPEG (APP1 `Exif`), PNG (`eXIf`) or WebP (`EXIF` chunk) as
    /// Pillow's `ImageOps.exif_transpose` does: values 2–8 flip, rotate, transpose or transverse the image; a missing,
    /// unreadable or out-of-range tag leaves it as stored.
    case applyEXIF
}
