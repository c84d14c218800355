public enum Image2TextVersion { public static let string = "0.1.0" }
