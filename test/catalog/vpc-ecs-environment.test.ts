import { testCatalogTemplate } from "./template";

testCatalogTemplate("vpc-ecs-environment");
