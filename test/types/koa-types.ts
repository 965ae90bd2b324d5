/**
 * Compiles only if the declaration merging of @wimse-pep/koa works: typechecked by `pnpm typecheck`.
 */
import Router from '@koa/router';
import { allowTrustDomain } from '@wimse-pep/core';
import { requireWorkload, wimse } from '@wimse-pep/koa';
import Koa from 'koa';

const app = new Koa();
const pep = wimse({ verifier: { trustDomains: [], audiences: ['https://svc.example'] } });
app.use(pep);
const router = new Router();
router.get('/orders', requireWorkload(allowTrustDomain('wimse://example.com')), (ctx) => {
  const id: string | undefined = ctx.state.workload?.id;
  const trustDomain: string | undefined = ctx.state.workload?.trustDomain;
  ctx.body = { id, trustDomain };
});
router.get('/swap', (ctx) => {
  // @ts-expect-error the verified identity is read-only
  ctx.state.workload = undefined;
  // Other state keys stay free-form.
  ctx.state.requestId = 'r-1';
});
// @ts-expect-error a mode that does not exist
pep.withMode('sometimes');
app.use(router.routes());
