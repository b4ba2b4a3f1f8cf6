//! A key that verifies JWT signatures ([`JwtKey`]), with the algorithms it may verify
//! pinned, and the checks a key passes before it is trusted: its family, an HMAC
//! secret's length, an RSA modulus's size, an EC key's curve.
//!
//! jsonwebtoken reads the key material (PEM, JWK); the key is then prepared once per
//! algorithm it allows, as an aws-lc-rs HMAC key or parsed public key, so that a
//! verification costs the signature check alone.

use std::fmt;

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{self as sig, ParsedPublicKey, RsaParameters, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
pub use jsonwebtoken::Algorithm;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::{AlgorithmFamily, DecodingKey, DecodingKeyKind};

use super::ConfigError;

/// The smallest RSA modulus accepted, in bits.
const MIN_RSA_BITS: usize = 2048;

/// Makes aws-lc-rs the process's `jsonwebtoken` backend unless one is installed. With
/// a second backend compiled in by another crate, `jsonwebtoken` could not choose one
/// by itself and would panic on first use.
pub(crate) fn ensure_crypto_provider() {
    // An error means a provider is installed already, ours or the application's.
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
}

/// A key that verifies JWT signatures, with the algorithms it may verify pinned: a
/// token naming any other algorithm is refused, whatever its signature.
///
/// ```
/// # use boltmcp::layers::auth::{Algorithm, JwtKey};
/// # fn main() -> Result<(), boltmcp::layers::auth::ConfigError> {
/// let shared = JwtKey::hmac(Algorithm::HS256, b"a secret of at least thirty-two bytes")?.kid("2026-11");
/// assert_eq!(shared.algorithms(), [Algorithm::HS256]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct JwtKey {
    kid: Option<String>,
    algorithms: Vec<Algorithm>,
    key: DecodingKey,
    /// One per entry of `algorithms`, in the same order.
    prepared: Vec<Prepared>,
}

/// A key prepared to check the signatures of one algorithm.
#[derive(Clone)]
enum Prepared {
    // Boxed: an HMAC key holds its inner and outer hash states.
    Hmac(Box<hmac::Key>),
    Public(ParsedPublicKey),
}

impl JwtKey {
    /// A secret shared with the issuer, for `alg` (HS256, HS384 or HS512). It must be at
    /// least as long as the hash: 32, 48 or 64 bytes (RFC 7518 §3.2).
    pub fn hmac(alg: Algorithm, secret: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let key = DecodingKey::from_secret(secret.as_ref())
            .map_err(|_| ConfigError::new("an HMAC secret cannot be empty"))?;
        Self::new(alg, key)
    }

    /// The issuer's RSA public key in PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`), for `alg`
    /// (RS256, RS384, RS512, PS256, PS384 or PS512). 2048 bits or more.
    pub fn rsa_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        public_pem(pem.as_ref(), &["PUBLIC KEY", "RSA PUBLIC KEY"])?;
        let key = DecodingKey::from_rsa_pem(pem.as_ref())
            .map_err(|_| ConfigError::new("the RSA public key PEM does not parse"))?;
        Self::new(alg, key)
    }

    /// The issuer's EC public key in PEM (`PUBLIC KEY`), for `alg`: ES256 with a P-256
    /// key, ES384 with a P-384 key.
    pub fn ec_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        public_pem(pem.as_ref(), &["PUBLIC KEY"])?;
        let key = DecodingKey::from_ec_pem(pem.as_ref())
            .map_err(|_| ConfigError::new("the EC public key PEM does not parse"))?;
        Self::new(alg, key)
    }

    /// The issuer's Ed25519 public key in PEM (`PUBLIC KEY`), for EdDSA.
    pub fn ed_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        public_pem(pem.as_ref(), &["PUBLIC KEY"])?;
        let key = DecodingKey::from_ed_pem(pem.as_ref())
            .map_err(|_| ConfigError::new("the Ed25519 public key PEM does not parse"))?;
        Self::new(Algorithm::EdDSA, key)
    }

    /// Names the key: a token whose header carries `kid` is checked with the keys of
    /// that id only.
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Lets the key verify `alg` too: an RSA key both RS256 and PS256, say. The
    /// algorithm must suit the key (an EC key's curve fixes its one algorithm).
    pub fn allow(mut self, alg: Algorithm) -> Result<Self, ConfigError> {
        check(alg, &self.key)?;
        if !self.algorithms.contains(&alg) {
            self.prepared.push(prepare(alg, &self.key)?);
            self.algorithms.push(alg);
        }
        Ok(self)
    }

    /// The key's id, if named.
    pub fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The algorithms the key verifies.
    pub fn algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    /// A key for `alg` once it is checked to suit it.
    pub(crate) fn new(alg: Algorithm, key: DecodingKey) -> Result<Self, ConfigError> {
        check(alg, &key)?;
        let prepared = vec![prepare(alg, &key)?];
        Ok(JwtKey {
            kid: None,
            algorithms: vec![alg],
            key,
            prepared,
        })
    }

    pub(crate) fn allows(&self, alg: Algorithm) -> bool {
        self.algorithms.contains(&alg)
    }

    /// True when `signature` is this key's signature of `message` under `alg`, an
    /// algorithm the key allows (any other is false).
    pub(crate) fn verifies(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        let Some(index) = self.algorithms.iter().position(|a| *a == alg) else {
            return false;
        };
        match &self.prepared[index] {
            Prepared::Hmac(key) => hmac::verify(key, message, signature).is_ok(),
            Prepared::Public(key) => key.verify_sig(message, signature).is_ok(),
        }
    }
}

/// `key` prepared for `alg`, which [`check`] found it suits.
fn prepare(alg: Algorithm, key: &DecodingKey) -> Result<Prepared, ConfigError> {
    let unusable = || ConfigError::new(format!("the {alg:?} key is not usable"));
    if let Some(hmac_alg) = match alg {
        Algorithm::HS256 => Some(hmac::HMAC_SHA256),
        Algorithm::HS384 => Some(hmac::HMAC_SHA384),
        Algorithm::HS512 => Some(hmac::HMAC_SHA512),
        _ => None,
    } {
        let secret = key.try_get_as_bytes().map_err(|_| unusable())?;
        return Ok(Prepared::Hmac(Box::new(hmac::Key::new(hmac_alg, secret))));
    }
    let parsed = match (rsa_parameters(alg), key.kind()) {
        (Some(params), DecodingKeyKind::RsaModulusExponent { n, e }) => {
            RsaPublicKeyComponents { n, e }.to_parsed_public_key(params)
        }
        (Some(params), DecodingKeyKind::SecretOrDer(der)) => ParsedPublicKey::new(params, der),
        (None, DecodingKeyKind::SecretOrDer(bytes)) => match alg {
            Algorithm::ES256 => ParsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, bytes),
            Algorithm::ES384 => ParsedPublicKey::new(&sig::ECDSA_P384_SHA384_FIXED, bytes),
            Algorithm::EdDSA => ParsedPublicKey::new(&sig::ED25519, bytes),
            _ => return Err(unusable()),
        },
        (None, DecodingKeyKind::RsaModulusExponent { .. }) => return Err(unusable()),
    };
    parsed.map(Prepared::Public).map_err(|_| unusable())
}

/// The RSA verification of `alg` (2048 to 8192 bits), if it is an RSA algorithm.
fn rsa_parameters(alg: Algorithm) -> Option<&'static RsaParameters> {
    Some(match alg {
        Algorithm::RS256 => &sig::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &sig::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &sig::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &sig::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &sig::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    })
}

impl fmt::Debug for JwtKey {
    // The key material stays out of logs, though only an HMAC secret is a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtKey")
            .field("kid", &self.kid)
            .field("algorithms", &self.algorithms)
            .finish_non_exhaustive()
    }
}

/// Refuses a PEM that is not a public key of one of `labels`: a private key does not
/// belong on the server that checks tokens, and a certificate is not parsed here.
fn public_pem(pem: &[u8], labels: &[&str]) -> Result<(), ConfigError> {
    let text = std::str::from_utf8(pem).map_err(|_| ConfigError::new("a PEM key is text"))?;
    let label = text
        .split_once("-----BEGIN ")
        .and_then(|(_, rest)| rest.split_once("-----"))
        .map(|(label, _)| label);
    match label {
        Some(label) if labels.contains(&label) => Ok(()),
        Some(label) if label.contains("PRIVATE") => Err(ConfigError::new(
            "a private key was given: configure the issuer's public key",
        )),
        _ => Err(ConfigError::new(format!(
            "expected a PEM block labelled {}",
            labels.join(" or ")
        ))),
    }
}

/// Checks that `key` suits `alg`: its family, an HMAC secret's length, an RSA
/// modulus's size, an EC key's curve.
fn check(alg: Algorithm, key: &DecodingKey) -> Result<(), ConfigError> {
    ensure_crypto_provider();
    if key.family() != alg.family() {
        return Err(ConfigError::new(format!(
            "{alg:?} cannot be verified with {} key",
            family_name(key.family())
        )));
    }
    if key.family() == AlgorithmFamily::Hmac {
        let min = match alg {
            Algorithm::HS384 => 48,
            Algorithm::HS512 => 64,
            _ => 32,
        };
        let len = key.try_get_as_bytes().map_or(0, <[u8]>::len);
        if len < min {
            return Err(ConfigError::new(format!(
                "an {alg:?} secret must be at least {min} bytes long (RFC 7518 section 3.2)"
            )));
        }
        return Ok(());
    }
    let jwk = Jwk::from_decoding_key(key, Some(alg))
        .map_err(|_| ConfigError::new(format!("the {alg:?} public key does not parse")))?;
    let fits = match (&jwk.algorithm, alg) {
        (AlgorithmParameters::RSA(rsa), _) => URL_SAFE_NO_PAD
            .decode(&rsa.n)
            .is_ok_and(|n| modulus_bits(&n) >= MIN_RSA_BITS),
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES256) => {
            ec.curve == EllipticCurve::P256
        }
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES384) => {
            ec.curve == EllipticCurve::P384
        }
        (AlgorithmParameters::OctetKeyPair(okp), Algorithm::EdDSA) => {
            okp.curve == EllipticCurve::Ed25519
        }
        _ => false,
    };
    if !fits {
        return Err(ConfigError::new(match key.family() {
            AlgorithmFamily::Rsa => format!("an RSA key needs at least {MIN_RSA_BITS} bits"),
            _ => format!("the key's curve does not suit {alg:?}"),
        }));
    }
    Ok(())
}

fn modulus_bits(n: &[u8]) -> usize {
    match n.iter().position(|&b| b != 0) {
        Some(first) => (n.len() - first) * 8 - n[first].leading_zeros() as usize,
        None => 0,
    }
}

fn family_name(family: AlgorithmFamily) -> &'static str {
    match family {
        AlgorithmFamily::Hmac => "an HMAC",
        AlgorithmFamily::Rsa => "an RSA",
        AlgorithmFamily::Ec => "an EC",
        AlgorithmFamily::Ed => "an Ed25519",
    }
}
