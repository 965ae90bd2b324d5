/**
 * The calling side as a user writes it against the installed @wimse-pep/client: signs requests to
 * one of the README's services with a WIT and key from files, and prints what came back as one
 * JSON line.
 *
 *   node dist/client.js <base URL> <wit file> <private key file>
 */
import { createWimseFetch, fileCredentials } from '@wimse-pep/client';

const [base, witPath, keyPath] = process.argv.slice(2);
if (!base || !witPath || !keyPath) throw new Error('usage: client <base URL> <wit file> <key file>');

const wimseFetch = createWimseFetch({
  credentials: fileCredentials({ witPath, keyPath }),
  // The service answers as https://orders.internal.example, whatever address it listens on.
  audience: (url) => `https://orders.internal.example${url.pathname}`,
});

async function outcome(name: string, response: Response) {
  const text = await response.text();
  return {
    name,
    status: response.status,
    contentType: response.headers.get('content-type'),
    wwwAuthenticate: response.headers.get('www-authenticate'),
    body: text,
  };
}

const results = [
  await outcome('health, unsigned', await fetch(`${base}/health`)),
  await outcome('order, unsigned', await fetch(`${base}/orders/42`)),
  await outcome('order, signed', await wimseFetch(`${base}/orders/42`)),
  await outcome(
    'refund, signed',
    await wimseFetch(`${base}/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ order: '42', amount: 1250 }),
    }),
  ),
];
console.log(JSON.stringify(results));
