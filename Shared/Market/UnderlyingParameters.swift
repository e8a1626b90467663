/// One listed underlying of the simulated market: it moves by beta × the index's return plus
/// its own noise, so stocks and ETFs co-move with SPX the way a dispersion trader expects.
public struct UnderlyingParameters: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case etf, stock }

    public var symbol: String
    public var price: Double
    public var beta: Double
    /// Annualized volatility of the stock's own (idiosyncratic) noise.
    public var idiosyncraticVol: Double
    public var dividendYield: Double
    public var kind: Kind

    public init(symbol: String, price: Double, beta: Double, idiosyncraticVol: Double, dividendYield: Double = 0,
                kind: Kind = .stock) {
        self.symbol = symbol
        self.price = price
        self.beta = beta
        self.idiosyncraticVol = idiosyncraticVol
        self.dividendYield = dividendYield
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey {
        case symbol, price, beta, kind
        case idiosyncraticVol = "idiosyncratic_vol", dividendYield = "dividend_yield"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbol = try c.decode(String.self, forKey: .symbol)
        price = try c.decode(Double.self, forKey: .price)
        beta = try c.decodeIfPresent(Double.self, forKey: .beta) ?? 1
        idiosyncraticVol = try c.decodeIfPresent(Double.self, forKey: .idiosyncraticVol) ?? 0.2
        dividendYield = try c.decodeIfPresent(Double.self, forKey: .dividendYield) ?? 0
        kind = try c.decodeIfPresent(Kind.self, forKey: .kind) ?? .stock
    }

    /// The default universe: the ETFs and stocks the issues name, with betas and own vols
    /// near their long-run values.
    public static let defaults: [UnderlyingParameters] = [
        .init(symbol: "SPY", price: 590, beta: 1.0, idiosyncraticVol: 0.01, dividendYield: 0.013, kind: .etf),
        .init(symbol: "QQQ", price: 505, beta: 1.15, idiosyncraticVol: 0.08, dividendYield: 0.006, kind: .etf),
        .init(symbol: "IWM", price: 225, beta: 1.2, idiosyncraticVol: 0.12, dividendYield: 0.012, kind: .etf),
        .init(symbol: "AAPL", price: 228, beta: 1.1, idiosyncraticVol: 0.20, dividendYield: 0.005),
        .init(symbol: "MSFT", price: 415, beta: 1.0, idiosyncraticVol: 0.18, dividendYield: 0.008),
        .init(symbol: "TSLA", price: 345, beta: 1.8, idiosyncraticVol: 0.45),
        .init(symbol: "GLD", price: 245, beta: 0.1, idiosyncraticVol: 0.14, kind: .etf),
    ]
}
