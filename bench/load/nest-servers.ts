/**
 * The NestJS peers of the load benchmark (servers.ts), on both of Nest's platforms: the same
 * controller (GET /orders/:id, POST /orders with its JSON body parsed by Nest's parser), guarded
 * by `WimseGuard` (@wimse-pep/nestjs) or by `AuthGuard('jwt')` over a passport-jwt strategy, the
 * usual Nest bearer setup (@nestjs/passport).
 */
import 'reflect-metadata';
import type { Server } from 'node:http';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Injectable,
  Module,
  Param,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { VerifierOptions, WorkloadIdentity } from '@wimse-pep/core';
import { WimseGuard, WimseModule, Workload } from '@wimse-pep/nestjs';
import { ExtractJwt, Strategy } from 'passport-jwt';

export type NestPeer = 'nest-express-passport' | 'nest-express-wimse' | 'nest-fastify-passport' | 'nest-fastify-wimse';

interface BearerSettings {
  readonly issuerPem: string;
  readonly issuer: string;
  readonly audience: string;
}

function itemsOf(body: unknown): number {
  const items = (body as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items)) throw new BadRequestException();
  return items.length;
}

@Controller('orders')
@UseGuards(WimseGuard)
class WimseOrders {
  @Get(':id')
  get(@Param('id') id: string, @Workload() workload: WorkloadIdentity | undefined) {
    return { id, caller: workload?.id };
  }

  @Post()
  @HttpCode(200)
  post(@Body() body: unknown, @Workload() workload: WorkloadIdentity | undefined) {
    return { items: itemsOf(body), caller: workload?.id };
  }
}

@Controller('orders')
@UseGuards(AuthGuard('jwt'))
class PassportOrders {
  @Get(':id')
  get(@Param('id') id: string, @Req() request: { user?: { sub?: string } }) {
    return { id, caller: request.user?.sub };
  }

  @Post()
  @HttpCode(200)
  post(@Body() body: unknown, @Req() request: { user?: { sub?: string } }) {
    return { items: itemsOf(body), caller: request.user?.sub };
  }
}

function passportModule(bearer: BearerSettings) {
  @Injectable()
  class JwtStrategy extends PassportStrategy(Strategy) {
    constructor() {
      super({
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKey: bearer.issuerPem,
        algorithms: ['ES256'],
        issuer: bearer.issuer,
        audience: bearer.audience,
      });
    }

    validate(payload: { sub?: string }) {
      return payload;
    }
  }
  @Module({ imports: [PassportModule], providers: [JwtStrategy], controllers: [PassportOrders] })
  class PassportApp {}
  return PassportApp;
}

function wimseModule(verifier: VerifierOptions) {
  @Module({ imports: [WimseModule.forRoot({ verifier })], controllers: [WimseOrders] })
  class WimseApp {}
  return WimseApp;
}

export async function startNest(peer: NestPeer, verifier: VerifierOptions, bearer: BearerSettings): Promise<Server> {
  const module = peer.endsWith('-wimse') ? wimseModule(verifier) : passportModule(bearer);
  if (peer.startsWith('nest-express')) {
    const app = await NestFactory.create(module, new ExpressAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    return app.getHttpServer() as Server;
  }
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  return app.getHttpServer() as Server;
}
