# Multi-stage build: a static binary (pure-Go SQLite, no cgo) on a distroless
# base, running as a non-root user.
#
# There is no HEALTHCHECK on purpose: the image holds no shell and no HTTP
# client to run one, and health is the orchestrator's to probe: GET /healthz
# (liveness: the process serves) and GET /readyz (readiness: the store
# accepts webhooks; 503 only when it does not or while draining). See
# deploy/kubernetes/hubforce.yaml; docker compose users can probe the same
# URLs from outside. Checked by deploy/check/dockerfile_test.go.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hubforce ./cmd/hubforce

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hubforce /hubforce
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/hubforce"]
CMD ["serve"]
