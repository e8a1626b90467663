import ArgumentParser
import Foundation
import Quant

/// `bench quant`: the quant library's speed against the goals, with QuantLib's Python
/// timings measured in the same run as the reference where the package is installed.
struct QuantBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "quant", abstract: "Pricing, implied volatility and chain benchmarks.")

    @Option(help: "Options in the Black-Scholes batch.") var batch = 1_000_000
    @Option(help: "Python with QuantLib, for the reference; empty to skip.") var python = "python3"
    @Option(help: "Run only these measures (comma-separated: bs, iv, american, heston, chain, svi, engine), e.g. under perf.") var only: String?

    func wants(_ measure: String) -> Bool { only.map { $0.split(separator: ",").contains(Substring(measure)) } ?? true }

    func run() throws {
        let reference = quantLibReference()
        var generator = SplitMix(seed: 7)
        let options = (0..<batch).map { _ in randomOption(&generator) }
        // The BSM batch also makes the prices the IVs are solved from; other measures skip it.
        if wants("bs") || wants("iv") {
            let soa = OptionBatch(options)
            var out = GreeksBatch(count: soa.count)
            let bs = best(of: 3) { BatchPricer.blackScholes(soa, into: &out) } / Double(batch) * 1e9
            if wants("bs") { emit("bs_batch_price_and_5_greeks", bs, "ns/option", goal: 30, reference: reference["bs_greeks"].map { $0 * 1000 }) }
            if wants("iv") { impliedVolatility(options, prices: out.price, reference: reference) }
        }
        if wants("american") { american(options, reference: reference) }
        if wants("heston") { heston(options, reference: reference) }
        if wants("chain") {
            let chain = try ChainInputs()
            let time = try best(of: 20) { try chain.price() } * 1e3
            // Each stage alone, for where the time goes.
            var ivs: [Double] = []
            let iv = best(of: 20) { ivs = chain.impliedVolatilities() } * 1e3
            let greeks = best(of: 20) { _ = chain.greeks(ivs) } * 1e3
            let svi = try best(of: 20) { try chain.fits(ivs) } * 1e3
            emit("chain_2000_iv_greeks_svi", time, "ms", goal: 1, reference: nil,
                 extra: ["shape": "10 expiries x 200 strikes", "iv_ms": String(format: "%.3f", iv),
                         "greeks_ms": String(format: "%.3f", greeks), "svi_ms": String(format: "%.3f", svi)])
        }
        if wants("engine") { try pricerEngine() }
        if wants("svi") { sviFit() }
    }

    /// One expiry's SVI fit from the default start: 200 strikes quoted a vol point wide around a
    /// known smile (what each of the chain's ten fits costs).
    func sviFit() {
        let T = 0.5
        let truth = SVISlice(a: 0.01 * T, b: 0.1 * T.squareRoot(), rho: -0.5, m: 0, sigma: 0.2, time: T)
        var quotes: [SVI.Quote] = []
        for i in 0..<200 {
            let K = 60 + Double(i) * 0.4
            let k = log(K / (100 * exp(0.02 * T)))
            let v = truth.impliedVolatility(k)
            quotes.append(SVI.Quote(logMoneyness: k, bid: v - 0.002, ask: v + 0.002))
        }
        let fit = best(of: 20) { _ = try? SVI.fit(quotes, time: T) }
        emit("svi_fit_200_strikes", fit * 1e6, "us", goal: nil, reference: nil, extra: ["start": "default"])
    }

    func impliedVolatility(_ options: [OptionInputs], prices: [Double], reference: [String: Double]) {
        let ivOptions = Array(options.prefix(100_000))
        let ivBatch = OptionBatch(ivOptions)
        let ivPrices = Array(prices.prefix(100_000))
        var solved = 0
        let iv = best(of: 7) { solved = BatchPricer.impliedVolatility(prices: ivPrices, ivBatch).volatility.count } / Double(ivOptions.count) * 1e9
        emit("iv_lets_be_rational", iv, "ns/option", goal: 250, reference: reference["iv"].map { $0 * 1000 }, extra: ["solved": "\(solved)"])
    }

    func american(_ options: [OptionInputs], reference: [String: Double]) {
        let american = Array(options.prefix(20_000))
        let baw = best(of: 3) { for o in american { _ = try? BaroneAdesiWhaley.price(o) } } / Double(american.count) * 1e6
        emit("baw_price", baw, "us/option", goal: 2, reference: reference["baw"])
        let bjs = best(of: 3) { for o in american { _ = try? BjerksundStensland.price(o) } } / Double(american.count) * 1e6
        emit("bjs2002_price", bjs, "us/option", goal: 2, reference: reference["bjs1993"], extra: ["reference_method": "QuantLib has BJS 1993 only"])
    }

    func heston(_ options: [OptionInputs], reference: [String: Double]) {
        let p = Heston.Parameters(v0: 0.05, kappa: 2.0, theta: 0.06, xi: 0.7, rho: -0.65)
        let hestonOptions = Array(options.prefix(5000))
        let heston = best(of: 3) { for o in hestonOptions { _ = try? Heston.price(o, parameters: p) } } / Double(hestonOptions.count) * 1e6
        emit("heston_price", heston, "us/option", goal: 20, reference: reference["heston"])
        let strikes = (0..<50).map { 70 + Double($0) * 1.2 }
        let perStrike = best(of: 3) {
            for T in [0.1, 0.25, 0.5, 1.0] {
                guard let smile = try? Heston.Smile(time: T, parameters: p) else { continue }
                for K in strikes { _ = try? smile.price(.call, spot: 100, strike: K, rate: 0.03, dividend: 0.01, v0: p.v0) }
            }
        } / Double(4 * strikes.count) * 1e6
        emit("heston_per_strike_in_a_50_strike_expiry", perStrike, "us/option", goal: 20, reference: reference["heston"])
    }

    func emit(_ name: String, _ value: Double, _ unit: String, goal: Double?, reference: Double?, extra: [String: String] = [:]) {
        var result = Result(name: name, value: value, unit: unit)
        result.extra = extra.merging(goal.map { ["goal": Result.number($0)] } ?? [:]) { a, _ in a }
        if let reference {
            result.reference = reference
            result.referenceName = "QuantLib (Python)"
        }
        print(result.json)
    }

    func best(of repeats: Int, _ work: () throws -> Void) rethrows -> Double {
        var fastest = Double.infinity
        for _ in 0..<repeats {
            let start = monotonicSeconds()
            try work()
            fastest = min(fastest, monotonicSeconds() - start)
        }
        return fastest
    }

    /// Microseconds per option from `quantlib_reference.py`, or nothing where QuantLib is missing.
    func quantLibReference() -> [String: Double] {
        guard !python.isEmpty else { return [:] }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("quantlib_reference.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return [:] }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let json = try? JSONSerialization.jsonObject(with: data) as? [String: Double] else { return [:] }
        return json
    }

    func randomOption(_ g: inout SplitMix) -> OptionInputs {
        OptionInputs(g.next() < 0.5 ? .call : .put, spot: 100, strike: 70 + 60 * g.next(), time: 7.0 / 365 + 2 * g.next(),
                     rate: 0.03, dividend: 0.01, volatility: 0.1 + 0.6 * g.next())
    }
}

/// A small deterministic generator, so every run prices the same options.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}

/// A chain as a market maker sees it: 10 expiries × 200 strikes of mid prices, from a known
/// SVI surface. What is timed is what a tick of the whole chain costs: the IVs from the prices,
/// the greeks at those IVs, and an SVI fit per expiry; building the prices is not.
struct ChainInputs {
    static let expiries = (1...10).map { Double($0) * 0.1 }
    let options: [OptionInputs]
    let batch: OptionBatch
    let prices: [Double]

    init() throws {
        let slice = { (T: Double) in SVISlice(a: 0.01 * T, b: 0.1 * T.squareRoot(), rho: -0.5, m: 0, sigma: 0.2, time: T) }
        var options: [OptionInputs] = []
        for T in Self.expiries {
            for i in 0..<200 {
                let K = 60 + Double(i) * 0.4
                let k = log(K / (100 * exp(0.02 * T)))
                options.append(OptionInputs(K < 100 ? .put : .call, spot: 100, strike: K, time: T, rate: 0.03, dividend: 0.01,
                                            volatility: slice(T).impliedVolatility(k)))
            }
        }
        self.options = options
        batch = OptionBatch(options)
        var truth = GreeksBatch(count: batch.count)
        BatchPricer.blackScholes(batch, into: &truth)
        prices = truth.price
    }

    func price() throws {
        let ivs = impliedVolatilities()
        _ = greeks(ivs)
        try fits(ivs)
    }

    func impliedVolatilities() -> [Double] { BatchPricer.impliedVolatility(prices: prices, batch).volatility }

    func greeks(_ ivs: [Double]) -> GreeksBatch {
        var atIV = batch
        atIV.volatility = ivs
        var greeks = GreeksBatch(count: batch.count)
        BatchPricer.blackScholes(atIV, into: &greeks)
        return greeks
    }

    func fits(_ ivs: [Double]) throws {
        let k = BatchPricer.logMoneyness(batch)
        for (e, T) in Self.expiries.enumerated() {
            let quotes = (0..<200).compactMap { i -> SVI.Quote? in
                let v = ivs[e * 200 + i]
                guard v.isFinite else { return nil }
                return SVI.Quote(logMoneyness: k[e * 200 + i], bid: v - 0.002, ask: v + 0.002)
            }
            _ = try SVI.fit(quotes, time: T)
        }
    }
}

