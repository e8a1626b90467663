import Foundation
import PricerService
import Quant
import TestSupport
import Testing

@Suite("Black-Scholes-Merton and Black-76")
struct BlackScholesTests {
    @Test func publishedValues() throws {
        // Hull, "Options, Futures, and Other Derivatives", example 15.6: c = 4.76, p = 0.81.
        let c = try BlackScholes.greeks(.call, spot: 42, strike: 40, time: 0.5, rate: 0.1, dividend: 0, volatility: 0.2)
        let p = try BlackScholes.greeks(.put, spot: 42, strike: 40, time: 0.5, rate: 0.1, dividend: 0, volatility: 0.2)
        #expect(abs(c.price - 4.7594) < 5e-5)
        #expect(abs(p.price - 0.8086) < 5e-5)
        // Haug, "The Complete Guide to Option Pricing Formulas", 1.1.6 (BSM with yield): put 2.4648.
        let haug = try BlackScholes.greeks(.put, spot: 100, strike: 95, time: 0.5, rate: 0.1, dividend: 0.05, volatility: 0.2)
        #expect(abs(haug.price - 2.4648) < 5e-5)
        // Haug 1.1.3 (Black-76): F = 19, K = 19, T = 0.75, r = 0.10, σ = 0.28: call = put = 1.7011.
        let b = try BlackScholes.black76(.call, forward: 19, strike: 19, time: 0.75, rate: 0.1, volatility: 0.28)
        let bp = try BlackScholes.black76(.put, forward: 19, strike: 19, time: 0.75, rate: 0.1, volatility: 0.28)
        #expect(abs(b.price - 1.7011) < 5e-5)
        #expect(abs(bp.price - b.price) < 1e-14)
    }

    @Test func putCallParityAndGreeksAgainstFiniteDifferences() throws {
        var rng = TestRandom("BlackScholesTests.putCallParity")
        for _ in 0..<500 {
            let S = Double.random(in: 20...200, using: &rng), K = S * Double.random(in: 0.6...1.5, using: &rng), T = Double.random(in: 0.02...3, using: &rng)
            let r = Double.random(in: -0.01...0.08, using: &rng), q = Double.random(in: 0...0.05, using: &rng), v = Double.random(in: 0.05...1.2, using: &rng)
            func price(_ kind: OptionKind, S: Double = S, T: Double = T, r: Double = r, v: Double = v) throws -> Double {
                try BlackScholes.greeks(kind, spot: S, strike: K, time: T, rate: r, dividend: q, volatility: v).price
            }
            let c = try BlackScholes.greeks(.call, spot: S, strike: K, time: T, rate: r, dividend: q, volatility: v)
            let p = try price(.put)
            #expect(abs(c.price - p - (S * exp(-q * T) - K * exp(-r * T))) < 1e-10 * S)
            let h = 1e-4
            #expect(abs(c.delta - (try price(.call, S: S + h) - price(.call, S: S - h)) / (2 * h)) < 1e-6)
            #expect(abs(c.gamma - (try price(.call, S: S + h) - 2 * c.price + price(.call, S: S - h)) / (h * h)) < 1e-4)
            #expect(abs(c.vega - (try price(.call, v: v + h) - price(.call, v: v - h)) / (2 * h)) < 1e-5 * S)
            #expect(abs(c.theta + (try price(.call, T: T + h) - price(.call, T: T - h)) / (2 * h)) < 1e-4 * S)
            #expect(abs(c.rho - (try price(.call, r: r + h) - price(.call, r: r - h)) / (2 * h)) < 1e-5 * S)
        }
    }

    @Test func badInputIsAClearErrorNamingTheField() {
        #expect(throws: QuantError.invalid(field: "T", value: 0, requirement: "a positive finite number")) {
            try BlackScholes.greeks(.call, spot: 100, strike: 100, time: 0, rate: 0, dividend: 0, volatility: 0.2)
        }
        #expect(throws: QuantError.self) { try BlackScholes.greeks(.call, spot: .nan, strike: 100, time: 1, rate: 0, dividend: 0, volatility: 0.2) }
        #expect(throws: QuantError.self) { try BlackScholes.greeks(.call, spot: 100, strike: -1, time: 1, rate: 0, dividend: 0, volatility: 0.2) }
        #expect(throws: QuantError.self) { try BlackScholes.greeks(.call, spot: 100, strike: 100, time: 1, rate: 0, dividend: 0, volatility: 0) }
        #expect(throws: QuantError.self) { try BlackScholes.greeks(.call, spot: 100, strike: 100, time: 1, rate: .infinity, dividend: 0, volatility: 0.2) }
    }
}

@Suite("pricer price: the command-line contract")
struct PriceLineTests {
    @Test func oneLineOutPerLineInWithErrorsOfTheirOwn() {
        let ok = PriceLine.evaluate(#"{"id":1,"op":"price","model":"bs","type":"call","S":42,"K":40,"T":0.5,"r":0.1,"sigma":0.2}"#)
        #expect(ok.hasPrefix(#"{"id":1,"price":4.75942"#))
        #expect(ok.contains("\"delta\":") && ok.contains("\"rho\":"))
        let iv = PriceLine.evaluate(#"{"id":"x","op":"iv","model":"bs","type":"call","S":42,"K":40,"T":0.5,"r":0.1,"price":4.759422392871542}"#)
        #expect(iv.hasPrefix(#"{"id":"x","iv":"#))
        let value = (try? JSONSerialization.jsonObject(with: Data(iv.utf8)) as? [String: Any])?["iv"] as? Double
        #expect(abs((value ?? 0) - 0.2) < 1e-12)
        #expect(PriceLine.evaluate("nope") == #"{"id":null,"error":"not a JSON object"}"#)
        #expect(PriceLine.evaluate(#"{"id":2,"op":"price","model":"bs","type":"call","S":42,"K":40,"sigma":0.2}"#).contains("field 'T' is missing"))
        #expect(PriceLine.evaluate(#"{"id":3,"op":"price","model":"bs","type":"call","S":true,"K":40,"T":1,"sigma":0.2}"#).contains("field 'S'"))
        #expect(PriceLine.evaluate(#"{"id":4,"op":"price","model":"bs","type":"straddle","S":1,"K":1,"T":1,"sigma":0.2}"#).contains("field 'type'"))
        #expect(PriceLine.evaluate(#"{"id":5,"op":"price","model":"sabr","type":"call","S":1,"K":1,"T":1}"#).contains("model 'sabr' is not available"))
        #expect(PriceLine.evaluate(#"{"id":5,"op":"price","model":"heston","type":"call","S":1,"K":1,"T":1}"#).contains("field 'v0' is missing"))
        #expect(PriceLine.evaluate(#"{"id":7,"op":"price","model":"lr","type":"put","S":100,"K":100,"T":1,"sigma":0.2,"dividends":[{"t":0.5}]}"#).contains("dividends[0]"))
        #expect(PriceLine.evaluate(#"{"id":6,"op":"price","model":"bs","type":"call","S":1,"K":1,"T":0,"sigma":0.2}"#).contains("T = 0.0"))
    }
}
