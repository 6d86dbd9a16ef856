//! The load generator's client for `incoming` under load: one plain HTTP/1.1 keep-alive
//! connection per simulated Twilio connection (hyper's connection API: no pool, no cookie jar,
//! no redirect policy), sending requests that were built and signed before the clock started.
//! Twilio signs its own requests, so the signature is not djcalls' cost, and a client's
//! per-request machinery running on the same two cores as the server is not either: what the
//! timed loop spends on the client side is writing bytes and reading the answer.

use anyhow::{Context, bail};
use axum::body::Bytes;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_telephony::compute_signature;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;

/// A form POST as Twilio sends it: path, signature and encoded body, ready to go.
pub struct SignedPost {
    path: &'static str,
    signature: String,
    body: Bytes,
}

impl SignedPost {
    /// Signs `params` for `base` + `path` with the simulator's auth token (the bench server's).
    pub fn new(base: &str, path: &'static str, params: &[(String, String)]) -> SignedPost {
        let signature = compute_signature(SIMULATOR_AUTH_TOKEN, &format!("{base}{path}"), params);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        SignedPost {
            path,
            signature,
            body: Bytes::from(body),
        }
    }
}

/// One keep-alive connection to the bench server.
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    host: String,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> anyhow::Result<Connection> {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .context("connect to the bench server")?;
        stream.set_nodelay(true)?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .context("HTTP/1.1 handshake")?;
        tokio::spawn(async move {
            // Ends when the sender is dropped or the server closes the connection.
            let _ = connection.await;
        });
        Ok(Connection {
            sender,
            host: addr.to_string(),
        })
    }

    /// Sends `post` and reads the whole answer: its status and body.
    pub async fn post(&mut self, post: &SignedPost) -> anyhow::Result<(u16, Bytes)> {
        let request = hyper::Request::post(post.path)
            .header(HOST, &self.host)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(djcalls_telephony::SIGNATURE_HEADER, &post.signature)
            .body(Full::new(post.body.clone()))?;
        self.sender.ready().await.context("connection closed")?;
        let response = self.sender.send_request(request).await?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

/// The answer is TwiML that forwards the call (`<Dial>`), as for a number in service.
pub fn expect_forwarded(status: u16, body: &[u8]) -> anyhow::Result<()> {
    if status != 200 {
        bail!("incoming answered {status}");
    }
    if !body.windows(5).any(|w| w == b"<Dial") {
        bail!(
            "incoming answered without <Dial>: {}",
            String::from_utf8_lossy(body)
        );
    }
    Ok(())
}
