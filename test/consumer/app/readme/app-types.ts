// What the READMEs leave to the app: its user type, its user store and a login check.
import type { NextFunction, Request, Response } from 'express';

declare global {
  namespace Express {
    interface User {
      id: string;
      name?: string;
      aliceUserId: string;
      faceLoginEnabled?: boolean;
    }
  }
}

export interface Users {
  upsert(id: string, fields: { name: string; birthDate: string }): Promise<Express.User>;
  find(id: string): Promise<Express.User | undefined>;
  byAliceId(aliceUserId: string): Promise<Express.User | undefined>;
  byEmail(email: string): Promise<Express.User>;
}

export declare const users: Users;

export function ensureLoggedIn(req: Request, res: Response, next: NextFunction): void {
  if (req.isAuthenticated()) next();
  else res.status(401).end();
}
