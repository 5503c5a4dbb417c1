import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { AuthenteqStrategy, type VerifiedIdentity } from '@passport-idv/authenteq';

export interface SignUpUser {
  id: string;
  name: string;
}

/** `AuthenteqStrategy` as a Nest provider: `validate` is the verify callback. */
@Injectable()
export class AuthenteqSignUp extends PassportStrategy(AuthenteqStrategy, 'authenteq') {
  validate(profile: VerifiedIdentity): SignUpUser {
    return { id: profile.id, name: profile.displayName };
  }
}
