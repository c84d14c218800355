import Foundation

/// A state dict's pickle, read without running anything: only the opcodes and globals a `torch.save`d state dict uses.
///
/// Storage types (`torch.FloatStorage`, `torch.LongStorage`, …) are accepted as data inside a persistent id and never
/// called; the only callables are `OrderedDict`, `_rebuild_tensor_v2` and `_rebuild_parameter`, and they are
/// interpreted here, not run. Work and memory are bounded: the pickle's length, the nesting of values (whose release
/// would otherwise recurse once per level) and linear-time appends.
struct RestrictedUnpickler {
    /// One tensor of the state dict: where its values are.
    struct TensorReference {
        var name = ""
        let dtype: TensorDType
        let storageKey: String
        let storageOffset: Int
        let shape: [Int]
    }

    /// Largest `data.pkl` read. A state dict takes about 200 bytes a tensor (git-large's, under 1000 tensors, about
    /// 150 KB with its `_metadata`), so this leaves a wide margin while bounding what a hostile pickle can build (at
    /// most one value, a few dozen bytes, per byte of it).
    static let maximumLength = 4 << 20
    /// Deepest nesting of tuples, lists and dicts. A state dict needs three levels (the dict, a tensor's arguments,
    /// the sizes in them; `_metadata` is a dict of dicts).
    static let maximumDepth = 32

    private enum Value {
        case none, bool(Bool), int(Int), float(Double), string(String)
        /// Containers with the depth of their deepest value (1 for a container of scalars).
        case tuple([Value], depth: Int), list([Value], depth: Int), dict([(Value, Value)], depth: Int)
        case global(String)
        case storage(TensorDType, key: String)
        indirect case tensor(TensorReference)
        /// A list or dict put in the memo. Python would share the object; a state dict never reads one back, so
        /// the memo keeps no copy (a copy would make every later append to the original copy it again).
        case sharedContainer

        var depth: Int {
            switch self {
            case .tuple(_, let depth), .list(_, let depth), .dict(_, let depth): depth
            default: 0
            }
        }
    }

    /// The globals a state dict calls; anything else is refused before it could be called.
    static let callables: Set<String> = [
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
    ]
    /// The storage types of `torch.save` (the element type of a tensor's storage), read as data in persistent ids.
    static let storageTypes: [String: TensorDType] = [
        "torch.FloatStorage": .float32, "torch.HalfStorage": .float16, "torch.BFloat16Storage": .bfloat16,
        "torch.DoubleStorage": .float64, "torch.LongStorage": .int64, "torch.IntStorage": .int32,
        "torch.ShortStorage": .int16, "torch.CharStorage": .int8, "torch.ByteStorage": .uint8, "torch.BoolStorage": .bool,
    ]

    let bytes: UnsafeRawBufferPointer
    let url: URL

    /// The state dict's tensors, in order.
    func stateDict() throws -> [TensorReference] {
        guard bytes.count <= Self.maximumLength else {
            throw invalid("data.pkl is \(bytes.count) bytes, more than the \(Self.maximumLength) a state dict needs")
        }
        guard case .dict(let items, _) = try run() else { throw invalid("the pickle is not a dict") }
        return try items.map { key, value in
            guard case .string(let name) = key, case .tensor(var reference) = value else {
                throw invalid("a state dict entry is not a name and a tensor")
            }
            reference.name = name
            return reference
        }
    }

    private func invalid(_ reason: String) -> CheckpointError { .unsupportedWeightFormat(url, reason: "pickle: \(reason)") }

    /// The depth of a container of `items`: one level above the deepest of them, at most ``maximumDepth``.
    private func containerDepth(_ items: [Value]) throws -> Int {
        let depth = 1 + items.reduce(0) { max($0, $1.depth) }
        guard depth <= Self.maximumDepth else { throw invalid("values nested more than \(Self.maximumDepth) levels deep") }
        return depth
    }

    private func run() throws -> Value {
        // The values pushed since the last MARK are those above `marks.last` (Python keeps them on a separate stack).
        var stack = [Value](), marks = [Int](), memo = [Int: Value](), position = 0
        func take(_ count: Int) throws -> UnsafeRawBufferPointer {
            guard count >= 0, count <= bytes.count - position else { throw invalid("truncated") }
            defer { position += count }
            return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws -> T { T(littleEndian: try take(MemoryLayout<T>.size).loadUnaligned(as: T.self)) }
        func line() throws -> String {
            guard let end = bytes[position...].firstIndex(of: 0x0a) else { throw invalid("truncated") }
            defer { position = end + 1 }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
        }
        func available() -> Int { stack.count - (marks.last ?? 0) }
        func pop() throws -> Value {
            guard available() > 0 else { throw invalid("stack underflow") }
            return stack.removeLast()
        }
        func top() throws -> Value {
            guard available() > 0 else { throw invalid("stack underflow") }
            return stack[stack.count - 1]
        }
        func popToMark() throws -> [Value] {
            guard let mark = marks.popLast() else { throw invalid("no mark") }
            defer { stack.removeSubrange(mark...) }
            return Array(stack[mark...])
        }
        /// Adds to the list or dict on top of the stack in place: the stack's copy is cleared first, so the array is
        /// not shared and grows without being copied.
        func extendTop(list items: [Value]) throws {
            guard available() > 0, case .list(var list, let depth) = stack[stack.count - 1] else { throw invalid("append to a non-list") }
            stack[stack.count - 1] = .none
            let grown = try containerDepth(items)
            list.append(contentsOf: items)
            stack[stack.count - 1] = .list(list, depth: max(depth, grown))
        }
        func extendTop(dict flat: [Value]) throws {
            guard flat.count % 2 == 0, available() > 0, case .dict(var items, let depth) = stack[stack.count - 1] else {
                throw invalid("set items on a non-dict")
            }
            stack[stack.count - 1] = .none
            let grown = try containerDepth(flat)
            for index in stride(from: 0, to: flat.count, by: 2) { items.append((flat[index], flat[index + 1])) }
            stack[stack.count - 1] = .dict(items, depth: max(depth, grown))
        }
        func memoize(_ index: Int) throws {
            switch try top() {
            case .list, .dict: memo[index] = .sharedContainer
            case let value: memo[index] = value
            }
        }
        while true {
            let opcode = try take(1)[0]
            switch opcode {
            case 0x80: _ = try take(1)                                    // PROTO
            case 0x95: _ = try take(8)                                    // FRAME
            case 0x2e: return try pop()                                   // STOP
            case 0x28: marks.append(stack.count)                          // MARK
            case 0x4e: stack.append(.none)                                // NONE
            case 0x88, 0x89: stack.append(.bool(opcode == 0x88))          // NEWTRUE, NEWFALSE
            case 0x4b: stack.append(.int(Int(try integer(UInt8.self))))   // BININT1
            case 0x4d: stack.append(.int(Int(try integer(UInt16.self))))  // BININT2
            case 0x4a: stack.append(.int(Int(try integer(Int32.self))))   // BININT
            case 0x8a:                                                    // LONG1
                let count = Int(try integer(UInt8.self))
                guard count <= 8 else { throw invalid("integer too large") }
                let raw = try take(count)
                var value: Int64 = count > 0 && raw[count - 1] & 0x80 != 0 ? -1 : 0
                for index in stride(from: count - 1, through: 0, by: -1) { value = value << 8 | Int64(raw[index]) }
                stack.append(.int(Int(value)))
            case 0x47: stack.append(.float(Double(bitPattern: UInt64(bigEndian: try take(8).loadUnaligned(as: UInt64.self)))))  // BINFLOAT
            case 0x58: stack.append(.string(String(decoding: try take(Int(try integer(UInt32.self))), as: UTF8.self)))       // BINUNICODE
            case 0x8c: stack.append(.string(String(decoding: try take(Int(try integer(UInt8.self))), as: UTF8.self)))        // SHORT_BINUNICODE
            case 0x29: stack.append(.tuple([], depth: 1))                 // EMPTY_TUPLE
            case 0x85, 0x86, 0x87:                                        // TUPLE1-3
                let count = Int(opcode - 0x84)
                guard available() >= count else { throw invalid("stack underflow") }
                let items = Array(stack.suffix(count))
                stack.removeLast(count)
                stack.append(.tuple(items, depth: try containerDepth(items)))
            case 0x74:                                                    // TUPLE
                let items = try popToMark()
                stack.append(.tuple(items, depth: try containerDepth(items)))
            case 0x5d: stack.append(.list([], depth: 1))                  // EMPTY_LIST
            case 0x7d: stack.append(.dict([], depth: 1))                  // EMPTY_DICT
            case 0x61: try extendTop(list: [try pop()])                   // APPEND
            case 0x65: try extendTop(list: try popToMark())               // APPENDS
            case 0x73:                                                    // SETITEM
                let value = try pop(), key = try pop()
                try extendTop(dict: [key, value])
            case 0x75: try extendTop(dict: try popToMark())               // SETITEMS
            case 0x71: try memoize(Int(try integer(UInt8.self)))          // BINPUT
            case 0x72: try memoize(Int(try integer(UInt32.self)))         // LONG_BINPUT
            case 0x94: try memoize(memo.count)                            // MEMOIZE
            case 0x68, 0x6a:                                              // BINGET, LONG_BINGET
                let index = opcode == 0x68 ? Int(try integer(UInt8.self)) : Int(try integer(UInt32.self))
                switch memo[index] {
                case nil: throw invalid("memo \(index) is empty")
                case .sharedContainer: throw invalid("memo \(index) refers back to a list or dict, which a state dict does not do")
                case let value?: stack.append(value)
                }
            case 0x63:                                                    // GLOBAL
                let name = try line() + "." + line()
                guard Self.callables.contains(name) || Self.storageTypes[name] != nil else {
                    throw CheckpointError.unsafePickle(url, global: name)
                }
                stack.append(.global(name))
            case 0x51:                                                    // BINPERSID
                guard case .tuple(let items, _) = try pop(), items.count == 5, case .string("storage") = items[0],
                      case .global(let type) = items[1], let dtype = Self.storageTypes[type], case .string(let key) = items[2]
                else { throw invalid("unsupported persistent id") }
                stack.append(.storage(dtype, key: key))
            case 0x52:                                                    // REDUCE
                guard case .tuple(let arguments, _) = try pop(), case .global(let function) = try pop() else {
                    throw invalid("REDUCE without a function and arguments")
                }
                stack.append(try call(function, arguments))
            case 0x62: _ = try pop()                                      // BUILD: the state dict's _metadata, not needed
            default:
                throw invalid(String(format: "opcode 0x%02x at byte %d is not used by state dicts", opcode, position - 1))
            }
        }
    }

    /// Interprets a call of one of the ``callables``; a storage type or any other global is refused, not called.
    private func call(_ function: String, _ arguments: [Value]) throws -> Value {
        switch function {
        case "collections.OrderedDict":
            return .dict([], depth: 1)
        case "torch._utils._rebuild_parameter":
            guard let tensor = arguments.first, case .tensor = tensor else { throw invalid("_rebuild_parameter without a tensor") }
            return tensor
        case "torch._utils._rebuild_tensor_v2":
            guard arguments.count >= 4, case .storage(let dtype, let key) = arguments[0], case .int(let offset) = arguments[1],
                  case .tuple(let sizeValues, _) = arguments[2], case .tuple(let strideValues, _) = arguments[3] else {
                throw invalid("_rebuild_tensor_v2 with unexpected arguments")
            }
            let shape = try sizeValues.map { value -> Int in
                guard case .int(let size) = value, (0...(1 << 40)).contains(size) else { throw invalid("a size that is not a count") }
                return size
            }
            var elements = 1
            for size in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: size)
                guard !overflow, product < 1 << 40 else { throw invalid("tensor of shape \(shape) is too large") }
                elements = product
            }
            guard (0..<(1 << 40)).contains(offset) else { throw invalid("storage offset \(offset) is out of range") }
            let strides = try strideValues.map { value -> Int in
                guard case .int(let stride) = value else { throw invalid("a non-integer stride") }
                return stride
            }
            // A size-1 dimension may have any stride: 4.x's `arange(n).expand((1, -1))` buffers are stored that way.
            var expected = 1, contiguous = [Int](repeating: 1, count: shape.count)
            for index in shape.indices.reversed() {
                contiguous[index] = expected
                expected *= shape[index]
            }
            guard strides.count == shape.count, zip(zip(shape, strides), contiguous).allSatisfy({ $0.0.0 <= 1 || $0.0.1 == $0.1 }) else {
                throw invalid("tensor with strides \(strides) for shape \(shape) is not contiguous")
            }
            return .tensor(TensorReference(dtype: dtype, storageKey: key, storageOffset: offset, shape: shape))
        default:
            throw CheckpointError.unsafePickle(url, global: function)
        }
    }
}
