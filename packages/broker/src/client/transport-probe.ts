import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';

/** The TLS setting of a client's channels: plaintext, TLS with the default CAs, or TLS with its own. */
export type ChannelTls = boolean | { readonly rootCerts: Buffer };

/** TLS errors that mean the peer's certificate is not trusted (or not for this host). */
const UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME/;
/** TLS errors that mean the peer answered a TLS hello with something that is not TLS. */
const NOT_TLS = /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL|RECORD_LAYER|HTTP_REQUEST/;

/**
 * Why a client with `tls` cannot talk to whatever listens at `endpoint` (`HOST:PORT`), when the
 * reason is a TLS mismatch: it speaks TLS to a plaintext client, it does not speak TLS to a TLS
 * client, or its certificate is not trusted. Undefined when there is no such mismatch (nothing
 * listens, say): then waiting for the broker may still help. Makes one TLS handshake, bounded by `timeoutMs`.
 */
export async function transportMismatch(endpoint: string, tls: ChannelTls, timeoutMs = 1000): Promise<string | undefined> {
  const colon = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(endpoint.slice(colon + 1));
  const trust = tls === false ? {} : rootsOf(tls);
  const options: ConnectionOptions = {
    host, port, ALPNProtocols: ['h2'], rejectUnauthorized: tls !== false, ...trust,
    ...(isIP(host) === 0 && { servername: host }),
  };
  const outcome = await handshake(options, timeoutMs);
  if (tls === false) {
    return outcome === 'secure' ? 'it speaks TLS: create the client with sslEnabled: true (and tlsRootCertFile, unless a public CA signed its certificate)' : undefined;
  }
  if (outcome === 'secure' || outcome === 'none') return undefined;
  if (UNTRUSTED.test(outcome)) {
    return `its TLS certificate is not trusted (${outcome}): give the CA that signed it as tlsRootCertFile (or GRPC_DEFAULT_SSL_ROOTS_FILE_PATH)`;
  }
  if (NOT_TLS.test(outcome)) return 'it does not speak TLS: create the client without sslEnabled and tlsRootCertFile';
  return undefined;
}

/** `secure` when the handshake completed, the TLS error code when it failed, `none` when nothing answered. */
function handshake(options: ConnectionOptions, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(options);
    const done = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('none'), timeoutMs);
    socket.once('secureConnect', () => done('secure'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      // ECONNREFUSED, ECONNRESET...: nothing (or nothing that speaks) answered, no verdict.
      done(/^E[A-Z]+$/.test(code) ? 'none' : code || error.message);
    });
  });
}

/** The CAs a TLS channel trusts: its own, or those of GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, or Node's. */
function rootsOf(tls: true | { readonly rootCerts: Buffer }): { ca?: Buffer } {
  if (tls !== true) return { ca: tls.rootCerts };
  const file = process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH;
  if (!file) return {};
  try {
    return { ca: readFileSync(file) };
  } catch {
    return {};
  }
}
