# image2text serve in a container. The build stage runs the README's set-up commands (Install: `bash setup.sh`, then
# `bash install.sh`) on Debian 12 with Swift 6.3, and captions the bundled image with the bundled model as the README's
# first command does; the image holds the statically linked binary, the demo model and the libraries setup.sh names,
# in their run-time packages.
#
#   docker build -t image2text .
#   docker run -p 8080:8080 -v hf-cache:/models image2text --model microsoft/git-base-coco
#
# The model is downloaded into /models (HF_HOME) on first start; mount a volume there, or run `image2text download`
# into it beforehand, so that replicas start offline (HF_HUB_OFFLINE=1). deploy/ runs it on Kubernetes.
FROM swift:6.3-bookworm AS build
WORKDIR /src
COPY . .
RUN bash setup.sh \
 && bash install.sh --prefix /opt/image2text \
 && /opt/image2text/bin/image2text caption --model demo Fixtures/easyvqa/0.png

FROM debian:12-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ca-certificates libopenblas0 libturbojpeg0 libjpeg62-turbo libpng16-16 libwebp7 libwebpdemux2 libtiff6 \
      libavformat59 libavcodec59 libswscale6 libavutil57 libcurl4 zlib1g \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/image2text /usr/local
ENV HF_HOME=/models
RUN mkdir -p /models && chown 65532:65532 /models
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["image2text", "serve", "--host", "0.0.0.0", "--port", "8080", "--log-format", "json"]
