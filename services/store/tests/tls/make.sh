#!/bin/sh
# Makes the test-only CA and the localhost / 127.0.0.1 certificate it signs,
# used by tests/secured.rs and services/labex/tests. Run from this folder to
# make them anew (they are valid for 100 years); nothing but tests trusts them.
set -eu
openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl req -x509 -new -key ca.key -sha256 -days 36500 \
    -subj "/CN=labex-store test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.pem
openssl ecparam -name prime256v1 -genkey -noout -out server.ec.key
openssl pkcs8 -topk8 -nocrypt -in server.ec.key -out server.key
rm server.ec.key
openssl req -new -key server.key -subj "/CN=localhost" -out server.csr
cat > server.ext <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -sha256 -days 36500 -extfile server.ext -out server.pem
# The CA's key is not kept: no further certificate is signed with it.
rm -f ca.key ca.srl server.csr server.ext
