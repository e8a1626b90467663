import ArgumentParser
import Bus
import Foundation
import Messages

/// `bench codec`: the per-message CPU cost of the bus's own work, without sockets: `publish`
/// (payload, envelope, sequence number, hand-off to an in-memory transport) and decoding an
/// envelope with its payload and sequence check (what a subscription does). Reference: copying the same bytes, the floor any encoding pays.
struct CodecBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "codec", abstract: "Envelope encode/decode cost per message.")

    @Option(help: "Messages per measurement.") var count = 1_000_000

    func run() async throws {
        let hub = InMemoryHub(clock: WallClock())
        let bus = Bus(identity: ServiceIdentity(service: "bench", instance: "bench-1", epoch: 1), transport: hub.connect(instance: "bench-1"))
        var tick = Volta_V1_ProbeTick()
        tick.note = "SPY" + String(repeating: "x", count: 40)
        // The whole publish path: payload, envelope, sequence number, hand-off to the transport.
        var t0 = monotonicSeconds()
        for n in 0..<count {
            tick.n = UInt64(n)
            bus.publish(tick)
        }
        let encode = (monotonicSeconds() - t0) / Double(count) * 1e9
        // Frames for the decode measurement, recorded in an untimed pass.
        hub.recordPublished()
        for n in 0..<count {
            tick.n = UInt64(n)
            bus.publish(tick)
        }
        let frames = hub.publishedFrames.map(\.envelope)
        t0 = monotonicSeconds()
        var tracker = SequenceTracker()
        var sum: UInt64 = 0
        let topic = tick.topic
        for bytes in frames {
            // What a typed subscription does per frame.
            let header = try EnvelopeHeader.parse(bytes)
            _ = tracker.observe(instance: header.instance, epoch: header.epoch, topic: topic, sequence: header.sequence)
            guard header.hasType(Volta_V1_ProbeTick.protoMessageName, in: bytes) else { continue }
            sum &+= try Volta_V1_ProbeTick(serializedBytes: bytes[header.payloadRange]).n
        }
        let decode = (monotonicSeconds() - t0) / Double(count) * 1e9
        t0 = monotonicSeconds()
        var copies = 0
        for bytes in frames { copies &+= Array(bytes).count }
        let copy = (monotonicSeconds() - t0) / Double(count) * 1e9
        print(Result(name: "codec_publish_ns", value: encode, unit: "ns/msg", reference: copy, referenceName: "copy of the same bytes",
                     extra: ["bytes": "\(frames.first?.count ?? 0)"]).json)
        print(Result(name: "codec_decode_ns", value: decode, unit: "ns/msg", reference: copy, referenceName: "copy of the same bytes",
                     extra: ["checksum": "\(sum % 1000 + UInt64(copies % 7))"]).json)
    }
}
