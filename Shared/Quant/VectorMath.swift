import CVectorMath
#if canImport(Glibc)
import Glibc
#endif

/// exp, log, erfc, sin, cos and atan2 over runs of doubles through glibc's vector math library:
/// four lanes per call on AVX2 machines, libm per element elsewhere (CVectorMath decides once).
/// The batch kernels compute their arguments for a block in Swift, hand each transcendental step
/// here, then combine; libm per element was most of their time. Output may alias input.
enum VectorMath {
    /// Elements per block: a block's scratch columns stay in L1.
    static let block = 256

    @inline(__always) static func exp(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { volta_vm_exp(x, y, n) }
    @inline(__always) static func log(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { volta_vm_log(x, y, n) }
    @inline(__always) static func erfc(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { volta_vm_erfc(x, y, n) }
    @inline(__always) static func sin(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { volta_vm_sin(x, y, n) }
    @inline(__always) static func cos(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { volta_vm_cos(x, y, n) }

    /// atan2(y, x) elementwise into z, from the vector atan of y/x and the quadrant; where x is
    /// zero or y/x is not finite, libm's.
    static func atan2(_ y: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ z: UnsafeMutablePointer<Double>, _ n: Int) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { scratch in
            let t = scratch.baseAddress!
            for i in 0..<n { t[i] = y[i] / x[i] }
            volta_vm_atan(t, t, n)
            for i in 0..<n {
                let quadrant = x[i] < 0 ? (y[i].sign == .minus ? -Double.pi : Double.pi) : 0
                z[i] = x[i] == 0 || !t[i].isFinite ? Glibc.atan2(y[i], x[i]) : t[i] + quadrant
            }
        }
    }
}
