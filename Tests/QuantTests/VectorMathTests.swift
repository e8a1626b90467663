import Foundation
@testable import Quant
import Testing

/// The vector math the batch kernels rely on agrees with libm to a few ulp, across the ranges the
/// kernels use, including deep tails and lengths that are not a multiple of the vector width.
@Suite("Vector math")
struct VectorMathTests {
    func check(_ inputs: [Double], ulps: Double, _ vector: (UnsafePointer<Double>, UnsafeMutablePointer<Double>, Int) -> Void,
               _ scalar: (Double) -> Double) {
        var out = [Double](repeating: .nan, count: inputs.count)
        inputs.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in vector(x.baseAddress!, y.baseAddress!, inputs.count) } }
        for (x, y) in zip(inputs, out) {
            let expected = scalar(x)
            #expect(abs(y - expected) <= ulps * expected.ulp || (expected == 0 && abs(y) < 1e-300), "f(\(x)) = \(y), libm \(expected)")
        }
    }

    @Test func agreesWithLibm() {
        let wide = (0..<1_003).map { -700 + 1.4 * Double($0) }        // 1,003: not a multiple of 4
        let tails = (0..<401).map { -6 + 0.08 * Double($0) }          // erfc from 2 down to 1e-300
        let positive = (1..<1_001).map { 1e-6 * pow(1.05, Double($0)) }
        check(wide, ulps: 4, VectorMath.exp, Foundation.exp)
        check(positive, ulps: 4, VectorMath.log, Foundation.log)
        check(tails, ulps: 8, VectorMath.erfc, Foundation.erfc)
        check(wide.map { $0 / 7 }, ulps: 4, VectorMath.sin, Foundation.sin)
        check(wide.map { $0 / 7 }, ulps: 4, VectorMath.cos, Foundation.cos)
        let ys = wide.map { $0 / 100 }, xs = wide.reversed().map { $0 / 90 }
        var angles = [Double](repeating: .nan, count: ys.count)
        ys.withUnsafeBufferPointer { y in xs.withUnsafeBufferPointer { x in angles.withUnsafeMutableBufferPointer { z in
            VectorMath.atan2(y.baseAddress!, x.baseAddress!, z.baseAddress!, ys.count)
        } } }
        // In place, as Heston's kernel calls it: the angle written over x.
        var inPlace = xs
        ys.withUnsafeBufferPointer { y in inPlace.withUnsafeMutableBufferPointer { x in
            VectorMath.atan2(y.baseAddress!, x.baseAddress!, x.baseAddress!, ys.count)
        } }
        #expect(inPlace == angles)
        for i in ys.indices { #expect(abs(angles[i] - Foundation.atan2(ys[i], xs[i])) <= 4 * Foundation.atan2(ys[i], xs[i]).ulp + 1e-300, "atan2(\(ys[i]), \(xs[i])) = \(angles[i]) at \(i)") }
    }
}
