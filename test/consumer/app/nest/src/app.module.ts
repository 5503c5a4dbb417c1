import { type DynamicModule, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import type { AuthenteqStrategyOptions } from '@passport-idv/authenteq';
import { AuthController, SessionSerializer, SignUpGuard } from './auth.controller.js';
import { AuthenteqSignUp } from './authenteq.strategy.js';

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static register().
export class AppModule {
  static register(options: AuthenteqStrategyOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [PassportModule.register({ session: true })],
      controllers: [AuthController],
      providers: [
        { provide: AuthenteqSignUp, useFactory: () => new AuthenteqSignUp(options) },
        SessionSerializer,
        SignUpGuard,
      ],
    };
  }
}
