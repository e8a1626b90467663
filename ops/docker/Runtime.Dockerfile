# The runtime stage of Volta's image, shared by Dockerfile (from source) and build-image.sh (from
# this host's build): a context with bin/ and lib/ from collect-runtime.sh and scenarios/.
# `runtime-base` is replaced by the base image: Debian with libzmq5, libsqlite3-0, libcurl4, tzdata,
# ca-certificates and the user volta (uid 10001).
FROM runtime-base
USER root
COPY lib/ /usr/local/lib/swift/
RUN echo /usr/local/lib/swift > /etc/ld.so.conf.d/swift.conf && ldconfig
COPY bin/ /usr/local/bin/
COPY scenarios /usr/share/volta/scenarios
USER volta
WORKDIR /data
VOLUME /data
ENTRYPOINT ["/usr/local/bin/volta-entrypoint"]
