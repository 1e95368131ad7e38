# Three stages: build the web app, build the Go binary with the app embedded, then a small
# runtime image with nothing but the binary.
FROM node:20-bookworm-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/frontend/dist ./frontend/dist
ARG VERSION=docker
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/peerpath ./cmd/peerpath

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/peerpath /peerpath
ENV PEERPATH_ADDR=0.0.0.0:8080 PEERPATH_DATA_DIR=/data
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/peerpath"]
CMD ["serve"]
