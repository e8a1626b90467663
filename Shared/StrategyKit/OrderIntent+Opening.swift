import Messages

extension Volta_V1_OrderIntent {
    /// An intent to open one option position, with what every entry sets the same way; the
    /// caller adds its price, algo, timeout and exits.
    public static func openingOption(_ id: String, strategy: String, instance: String, contract: Volta_V1_OptionContract,
                                     side: Volta_V1_Side, quantity: Int64) -> Self {
        var intent = Self()
        intent.intentID = id
        intent.strategy = strategy
        intent.instance = instance
        intent.purpose = .open
        intent.legs = [Volta_V1_Leg.with {
            $0.instrument = .of(contract)
            $0.side = side
            $0.ratio = 1
        }]
        intent.quantity = quantity
        return intent
    }
}

extension Volta_V1_Instrument {
    /// The instrument of an option contract: its underlying's symbol and the contract.
    public static func of(_ contract: Volta_V1_OptionContract) -> Self {
        .with { $0.symbol = contract.underlying; $0.option = contract }
    }
}
