import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { AuthenteqStrategyOptions } from '@passport-idv/authenteq';
import type { Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import passport from 'passport';
import { AppModule } from './app.module.js';

/** A NestJS (Express) app signing users up with `PassportStrategy(AuthenteqStrategy, 'authenteq')`. */
export async function createNestApp(options: AuthenteqStrategyOptions): Promise<RequestHandler> {
  const app = await NestFactory.create(AppModule.register(options), { logger: false });
  app.use(session({ secret: 'consumer-test', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax' } }));
  app.use(passport.session());
  // The account page, as plain Express middleware.
  app.use('/account', (req: Request, res: Response) => {
    res.status(req.user ? 200 : 401).json({ user: req.user ?? null });
  });
  await app.init();
  return app.getHttpAdapter().getInstance();
}
