import { Controller, type ExecutionContext, Get, Injectable, Redirect, UseGuards } from '@nestjs/common';
import { AuthGuard, PassportSerializer } from '@nestjs/passport';

/** Runs the strategy and, on success, logs the user into the session. */
@Injectable()
export class SignUpGuard extends AuthGuard('authenteq') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const result = (await super.canActivate(context)) as boolean;
    await super.logIn(context.switchToHttp().getRequest());
    return result;
  }
}

@Injectable()
export class SessionSerializer extends PassportSerializer {
  serializeUser(user: unknown, done: (error: unknown, id?: unknown) => void): void {
    done(null, user);
  }
  deserializeUser(payload: unknown, done: (error: unknown, user?: unknown) => void): void {
    done(null, payload);
  }
}

@Controller('auth/authenteq')
export class AuthController {
  /** Redirects to the identity check (the guard answers; this never runs). */
  @Get()
  @UseGuards(AuthGuard('authenteq'))
  start(): void {}

  @Get('callback')
  @UseGuards(SignUpGuard)
  @Redirect('/account')
  callback(): void {}
}
