import CKernels
import Foundation

/// The threads the kernels run on: one persistent pool (the calling thread and `count − 1` workers), shared by every
/// product, attention and row pass. Work is split where it scales: columns of the products, heads of attention,
/// blocks of rows; BLAS itself runs single-threaded inside each part (OpenBLAS's own threads are turned off once the
/// pool starts). Accelerate decides its own threading on Apple platforms.
public enum KernelThreads {
    nonisolated(unsafe) private static var configured: Int?

    /// All cores unless set.
    public static var count: Int { configured ?? ProcessInfo.processInfo.activeProcessorCount }

    /// Sets the number of threads for the kernels. Call before running the model, not from inside ``run(parts:_:)``.
    public static func set(_ count: Int) {
        configured = max(1, count)
        _ = started
        i2t_pool_set_threads(Int32(max(1, count)))
    }

    /// Threads a run started here would use: 1 inside a part (nested runs are serial), else ``count``.
    public static var available: Int {
        _ = started
        return i2t_pool_inside_part() != 0 ? 1 : Int(i2t_pool_threads())
    }

    /// Runs `body(part)` for every part in `0..<parts` on the pool, the calling thread included, and returns when all
    /// have returned; parts are handed out in order to whichever thread is free. Inside a part, kernels run
    /// single-threaded, so this is also the way to run independent jobs side by side (one image per part, each with
    /// single-threaded kernels). Called from inside a part, or while another thread's run holds the pool, the parts
    /// run one after another on the calling thread.
    public static func run(parts: Int, _ body: (Int) -> Void) {
        guard parts > 1 else {
            if parts == 1 { body(0) }
            return
        }
        _ = started
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { pointer in
                i2t_pool_run(parts, { context, part in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(part)
                }, UnsafeMutableRawPointer(mutating: pointer))
            }
        }
    }

    /// A per-thread buffer for `count` floats, kept between calls: valid until the same thread asks again.
    package static func scratch(_ count: Int) -> UnsafeMutablePointer<Float> {
        guard let bytes = i2t_thread_scratch(count * MemoryLayout<Float>.stride) else {
            preconditionFailure("out of memory for \(count) floats of kernel scratch")
        }
        return bytes.bindMemory(to: Float.self, capacity: count)
    }

    /// Starts the pool with ``count`` threads the first time any run needs it, and turns BLAS's own threads off.
    private static let started: Void = {
        BLAS.setThreadCount(1)
        i2t_pool_set_threads(Int32(count))
    }()
}
