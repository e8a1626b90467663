import CVectorMath

/// exp, log, erfc, sin and cos over runs of doubles through glibc's vector math library: four
/// lanes per call on AVX2 machines, libm per element elsewhere. The batch kernels compute their
/// arguments for a block in Swift, hand each transcendental step here, then combine; libm per
/// element was most of their time.
enum VectorMath {
    static let avx2 = volta_vm_has_avx2() != 0

    /// Elements per block: the block's scratch columns stay in L1.
    static let block = 256

    @inline(__always)
    static func exp(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        #if arch(x86_64)
        if avx2 { return volta_vm_exp_avx2(x, y, n) }
        #endif
        volta_vm_exp_scalar(x, y, n)
    }

    @inline(__always)
    static func log(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        #if arch(x86_64)
        if avx2 { return volta_vm_log_avx2(x, y, n) }
        #endif
        volta_vm_log_scalar(x, y, n)
    }

    @inline(__always)
    static func erfc(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        #if arch(x86_64)
        if avx2 { return volta_vm_erfc_avx2(x, y, n) }
        #endif
        volta_vm_erfc_scalar(x, y, n)
    }

    @inline(__always)
    static func sin(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        #if arch(x86_64)
        if avx2 { return volta_vm_sin_avx2(x, y, n) }
        #endif
        volta_vm_sin_scalar(x, y, n)
    }

    @inline(__always)
    static func cos(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        #if arch(x86_64)
        if avx2 { return volta_vm_cos_avx2(x, y, n) }
        #endif
        volta_vm_cos_scalar(x, y, n)
    }

    @inline(__always)
    static func atan2(_ y: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ z: UnsafeMutablePointer<Double>, _ n: Int) {
        #if arch(x86_64)
        if avx2 { return volta_vm_atan2_avx2(y, x, z, n) }
        #endif
        volta_vm_atan2_scalar(y, x, z, n)
    }
}
