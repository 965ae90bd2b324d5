/**
 * Compiles only if @wimse-pep/nestjs's decorators and module are typed as documented: modes and
 * settings as Express's `withMode` takes them, policies as functions, the module's options as the
 * guard's. Typechecked by `pnpm typecheck`; never run.
 */
import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { allowWorkloads, type VerifierOptions, type WorkloadIdentity } from '@wimse-pep/core';
import {
  type WimseException,
  WimseGuard,
  WimseMode,
  WimseModule,
  type WimseService,
  Workload,
  WorkloadPolicy,
} from '@wimse-pep/nestjs';

declare const verifier: VerifierOptions;

@Controller()
@UseGuards(WimseGuard)
@WimseMode('optional')
export class TypedController {
  @Get('a')
  @WimseMode('either')
  @WorkloadPolicy(allowWorkloads('wimse://td.example/service/a'))
  a(@Workload() workload: WorkloadIdentity | undefined) {
    return workload?.id;
  }

  @Get('b')
  @WimseMode({ mode: 'required', transactionToken: 'required' })
  b() {
    return 'b';
  }

  // @ts-expect-error not a protection or migration mode
  @WimseMode('sometimes')
  @Get('c')
  c() {
    return 'c';
  }

  // @ts-expect-error a policy is a function
  @WorkloadPolicy('admin')
  @Get('d')
  d() {
    return 'd';
  }
}

@Module({
  imports: [
    WimseModule.forRoot({ verifier, global: true, bodyLimit: 65_536 }),
    WimseModule.forRootAsync({ useFactory: async () => ({ verifier }), global: false }),
  ],
  controllers: [TypedController],
})
export class TypedModule {}

export function operations(service: WimseService, error: WimseException): Promise<void> {
  const code: string = error.code;
  const status: number = error.problem.status;
  console.log(code, status);
  return service.resetMigration();
}

// @ts-expect-error the module takes the guard's options
WimseModule.forRoot({ verifier, notAnOption: true });
